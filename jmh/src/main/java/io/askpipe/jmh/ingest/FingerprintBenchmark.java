package io.askpipe.jmh.ingest;

import io.askpipe.ingest.api.AskSubmission;
import io.askpipe.jmh.Payloads;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
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
 * {@link AskSubmission#fingerprint()}, which ingest computes once per {@code POST /v1/ask} and
 * stores with the idempotency key: SHA-256 over the length-prefixed fields, hex-encoded. Measured
 * on {@link Payloads}' prompt, model and callback URL (no explicit backend).
 *
 * <p>Baseline: SHA-256 alone over exactly the bytes the fingerprint hashes (framing included,
 * prepared once), with a {@link MessageDigest} kept between calls. The ratio is what the
 * fingerprint spends beyond the hash: a new digest per call, encoding the fields to UTF-8, the
 * framing buffers and the hex string.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FingerprintBenchmark {
    private AskSubmission submission;
    private byte[] hashed;
    private MessageDigest sha256;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        submission = submission();
        hashed = hashedBytes(submission);
        sha256 = MessageDigest.getInstance("SHA-256");
    }

    /** The submission of {@link Payloads}' ask, as ingest parses it from the request body. */
    static AskSubmission submission() {
        return new AskSubmission(Payloads.PROMPT, Payloads.MODEL, null, Payloads.CALLBACK_URL);
    }

    /**
     * The bytes {@link AskSubmission#fingerprint()} feeds the digest: per field a presence byte,
     * its UTF-8 length and its UTF-8 bytes. The module's test checks that their SHA-256 is the
     * fingerprint, so the baseline hashes the same input.
     */
    static byte[] hashedBytes(AskSubmission submission) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String field :
                new String[] {submission.prompt(), submission.model(), submission.backend(), submission.callbackUrl()
                }) {
            byte[] bytes = field == null ? new byte[0] : field.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(5)
                    .put((byte) (field == null ? 0 : 1))
                    .putInt(bytes.length)
                    .array());
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    /** Ingest's fingerprint of the submission. */
    @Benchmark
    public String fingerprint() {
        return submission.fingerprint();
    }

    /** Baseline: the SHA-256 of the same bytes. */
    @Benchmark
    public byte[] sha256Baseline() {
        return sha256.digest(hashed);
    }
}
