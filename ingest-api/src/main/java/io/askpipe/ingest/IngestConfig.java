package io.askpipe.ingest;

import io.askpipe.auth.AuthSettings;
import io.askpipe.common.CallbackPolicy;
import io.askpipe.common.Chaos;
import io.askpipe.common.DatabaseSettings;
import io.askpipe.common.Env;
import io.askpipe.common.HttpSettings;
import io.askpipe.common.KafkaSettings;
import io.askpipe.common.OpsSettings;
import java.time.Duration;

/**
 * Everything the ingest API reads from its environment.
 *
 * @param kafka broker and topic settings
 * @param database the idempotency ledger's PostgreSQL, shared by every ingest instance
 * @param auth how callers' API keys are checked
 * @param http where the HTTP server listens ({@code HTTP_HOST}, {@code HTTP_PORT}, default 8080)
 * @param ops where {@code /metrics} and {@code /readyz} listen ({@code OPS_HOST}, {@code OPS_PORT},
 *     default 127.0.0.1:9464)
 * @param limits request size limits
 * @param callbacks which webhook callback URLs an ask may carry
 * @param publishTimeout {@code INGEST_PUBLISH_TIMEOUT_MS}: how long an ask may wait for Kafka's
 *     acknowledgement before the client gets a 503 (default 5000)
 * @param idempotencyTtl {@code IDEMPOTENCY_TTL}: how long a key and its answer are kept (default
 *     5m; e.g. {@code 24h})
 * @param recoveryInterval {@code INGEST_RECOVERY_INTERVAL_MS}: how often asks that were claimed but
 *     not published are published from the ledger, and expired keys deleted (default 5000)
 * @param chaos chaos mode ({@code CHAOS_*}); the ingest API injects {@code
 *     CHAOS_INGEST_PUBLISH_FAILURE}
 */
public record IngestConfig(
        KafkaSettings kafka,
        DatabaseSettings database,
        AuthSettings auth,
        HttpSettings http,
        OpsSettings ops,
        IngestLimits limits,
        CallbackPolicy callbacks,
        Duration publishTimeout,
        Duration idempotencyTtl,
        Duration recoveryInterval,
        Chaos.Settings chaos) {

    public static IngestConfig fromEnv(Env env) {
        return new IngestConfig(
                KafkaSettings.fromEnv(env),
                DatabaseSettings.fromEnv(env),
                AuthSettings.fromEnv(env),
                HttpSettings.fromEnv(env, 8080),
                OpsSettings.fromEnv(env, 9464),
                IngestLimits.fromEnv(env),
                CallbackPolicy.fromEnv(env),
                Duration.ofMillis(env.longValue("INGEST_PUBLISH_TIMEOUT_MS", 5_000, 1_000, 300_000)),
                env.duration("IDEMPOTENCY_TTL", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(30)),
                Duration.ofMillis(env.longValue("INGEST_RECOVERY_INTERVAL_MS", 5_000, 100, 600_000)),
                Chaos.Settings.fromEnv(env));
    }

    /** An ask claimed this long ago and still unpublished was abandoned by its request. */
    Duration abandonedAfter() {
        return publishTimeout.plusSeconds(5);
    }
}
