package io.askpipe.jmh.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.askpipe.jmh.Payloads;
import io.askpipe.schemas.Json;
import io.askpipe.store.webhook.WebhookSigner;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signature benchmarks sign a real webhook body, and every one of them signs the same bytes. */
class WebhookSigningBenchmarkTest {

    private static WebhookSigningBenchmark benchmark() throws Exception {
        WebhookSigningBenchmark benchmark = new WebhookSigningBenchmark();
        benchmark.setUp();
        return benchmark;
    }

    @Test
    void theBodyIsTheWebhookOfTheSucceededAsk() throws Exception {
        JsonNode event = Json.mapper().readTree(benchmark().signedBody());
        assertThat(event.get("type").asText()).isEqualTo("ask.succeeded");
        assertThat(event.get("data").get("result").get("answer").asText()).isEqualTo(Payloads.ANSWER);
        assertThat(benchmark().signedBody().length()).isBetween(1200, 2500);
    }

    @Test
    void signerBaselineAndLibraryComputeTheSameSignature() throws Exception {
        WebhookSigningBenchmark benchmark = benchmark();
        String signature = benchmark.sign();
        assertThat(signature).startsWith("v1,");
        assertThat(signature).isEqualTo("v1," + Base64.getEncoder().encodeToString(benchmark.hmacSha256Baseline()));
        assertThat(signature).isEqualTo(benchmark.standardWebhooksLibrary());
    }

    @Test
    void theLibrarysVerifierAcceptsTheSignerOnThisBody() throws Exception {
        String body = benchmark().signedBody();
        long now = Instant.now().getEpochSecond();
        String signature = WebhookSigner.signature(
                List.of(WebhookSigningBenchmark.SECRET), WebhookSigningBenchmark.WEBHOOK_ID, now, body);
        new Webhook(WebhookSigningBenchmark.SECRET)
                .verify(
                        body,
                        Map.of(
                                "webhook-id", List.of(WebhookSigningBenchmark.WEBHOOK_ID),
                                "webhook-timestamp", List.of(String.valueOf(now)),
                                "webhook-signature", List.of(signature)));
    }
}
