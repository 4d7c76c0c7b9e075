package io.askpipe.ingest;

import io.askpipe.common.Env;
import io.askpipe.common.HttpSettings;
import io.askpipe.common.KafkaSettings;
import java.time.Duration;

/**
 * Everything the ingest API reads from its environment.
 *
 * @param kafka broker and topic settings
 * @param http where the HTTP server listens ({@code HTTP_HOST}, {@code HTTP_PORT}, default 8080)
 * @param limits request size limits
 * @param publishTimeout {@code INGEST_PUBLISH_TIMEOUT_MS}: how long an ask may wait for Kafka's
 *     acknowledgement before the client gets a 503 (default 10000)
 */
public record IngestConfig(KafkaSettings kafka, HttpSettings http, IngestLimits limits, Duration publishTimeout) {

    public static IngestConfig fromEnv(Env env) {
        return new IngestConfig(
                KafkaSettings.fromEnv(env),
                HttpSettings.fromEnv(env, 8080),
                IngestLimits.fromEnv(env),
                Duration.ofMillis(env.longValue("INGEST_PUBLISH_TIMEOUT_MS", 10_000, 1_000, 300_000)));
    }
}
