package io.askpipe.jmh.store;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;
import io.askpipe.jmh.Payloads;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.store.view.AskView;
import io.askpipe.store.webhook.WebhookEvent;
import io.askpipe.store.webhook.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link WebhookSigner#signature}, which the result store's dispatcher computes for every webhook
 * attempt: the Standard Webhooks {@code v1} signature of {@code id.timestamp.body} with the
 * user's one current secret, where the body is the {@link WebhookEvent} JSON of {@link Payloads}'
 * succeeded ask (about 1.5 KB).
 *
 * <p>Baseline: HMAC-SHA256 alone over exactly the signed bytes (prepared once), with a {@link
 * Mac} initialized once. The ratio is what the signer spends beyond the MAC: decoding the secret,
 * a new initialized {@code Mac} per call, building and encoding the signed content, base64. The
 * reference Standard Webhooks library signs the same input beside them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WebhookSigningBenchmark {
    /** A fixed secret of the form {@link WebhookSigner#newSecret()} makes: 32 bytes, base64. */
    static final String SECRET = fixedSecret();

    static final String WEBHOOK_ID = "msg_" + Payloads.REQUEST_ID;

    private List<String> secrets;
    private long timestamp;
    private String body;
    private byte[] signed;
    private Mac mac;
    private Webhook library;

    @Setup
    public void setUp() throws GeneralSecurityException, EmptyWebhookSecretException {
        secrets = List.of(SECRET);
        timestamp = Payloads.COMPLETED_AT.getEpochSecond();
        body = body();
        signed = (WEBHOOK_ID + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(
                Base64.getDecoder().decode(SECRET.substring(WebhookSigner.SECRET_PREFIX.length())), "HmacSHA256"));
        library = new Webhook(SECRET);
    }

    private static String fixedSecret() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7 + 3);
        }
        return WebhookSigner.SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The webhook body of {@link Payloads}' ask, as the result store enqueues it. */
    static String body() {
        AskResult result = Payloads.result();
        AskView view = new AskView(
                Payloads.REQUEST_ID,
                AskStatus.SUCCEEDED,
                Payloads.ACCEPTED_AT,
                result.completedAt(),
                new AskView.Envelope(
                        result.backend(),
                        result.model(),
                        result.answer(),
                        result.usage(),
                        result.latencyMs(),
                        result.reqId()),
                result.attempts(),
                null);
        return WebhookEvent.of(view).json();
    }

    /** The {@code webhook-signature} header the dispatcher sends. */
    @Benchmark
    public String sign() {
        return WebhookSigner.signature(secrets, WEBHOOK_ID, timestamp, body);
    }

    /** Baseline: the HMAC-SHA256 of the same bytes with a ready {@code Mac}. */
    @Benchmark
    public byte[] hmacSha256Baseline() {
        return mac.doFinal(signed);
    }

    /** For comparison: the reference library's signature of the same webhook. */
    @Benchmark
    public String standardWebhooksLibrary() throws WebhookSigningException {
        return library.sign(WEBHOOK_ID, timestamp, body);
    }

    /** The body this benchmark signs. */
    String signedBody() {
        return body;
    }

    /** The timestamp it signs with. */
    long timestamp() {
        return timestamp;
    }
}
