package io.askpipe.ingest;

import io.askpipe.auth.AuthSettings;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.ingest.api.IngestLimits;
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
 * @param limits request size limits, and the backends and models an ask may name
 * @param callbacks which webhook callback URLs an ask may carry
 * @param publishTimeout {@code INGEST_PUBLISH_TIMEOUT_MS}: how long an ask may wait for Kafka's
 *     acknowledgement before the client gets a 503 (default 5000)
 * @param idempotencyTtl {@code IDEMPOTENCY_TTL}: how long a key and its answer are kept (default
 *     5m; e.g. {@code 24h}); at least {@link #shortestTtl()}, so that a key outlives the recovery
 *     of its ask
 * @param recoveryInterval {@code INGEST_RECOVERY_INTERVAL_MS}: how often asks that were claimed but
 *     not published are published from the ledger, and expired keys deleted (default 5000)
 * @param maxInFlight {@code INGEST_MAX_IN_FLIGHT}: submits being accepted at once, per process;
 *     beyond it a submit gets a 503 at once (default 1024)
 * @param ledgerLockTimeout {@code INGEST_DB_LOCK_TIMEOUT_MS}: the longest a ledger statement waits
 *     for a row lock (PostgreSQL {@code lock_timeout}; default a fifth of the publish timeout)
 * @param ledgerStatementTimeout {@code INGEST_DB_STATEMENT_TIMEOUT_MS}: the longest a ledger
 *     statement runs (PostgreSQL {@code statement_timeout}; default half the publish timeout);
 *     at least the lock timeout, below the publish timeout
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
        int maxInFlight,
        Duration ledgerLockTimeout,
        Duration ledgerStatementTimeout) {
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;

    public IngestConfig {
        Duration shortest = shortestTtl(publishTimeout);
        if (idempotencyTtl.compareTo(shortest) < 0) {
            throw new ConfigException("IDEMPOTENCY_TTL (" + idempotencyTtl.toMillis() + " ms) must be at least "
                    + shortest.toMillis() + " ms with INGEST_PUBLISH_TIMEOUT_MS=" + publishTimeout.toMillis()
                    + " (twice it plus 6 s): a key must outlive the recovery of an ask its request could not"
                    + " publish, or a retry could claim it again and queue a second ask");
        }
        if (ledgerLockTimeout.compareTo(ledgerStatementTimeout) > 0) {
            throw new ConfigException("INGEST_DB_LOCK_TIMEOUT_MS (" + ledgerLockTimeout.toMillis()
                    + ") must not exceed INGEST_DB_STATEMENT_TIMEOUT_MS (" + ledgerStatementTimeout.toMillis() + ")");
        }
        if (ledgerStatementTimeout.compareTo(publishTimeout) >= 0) {
            throw new ConfigException("INGEST_DB_STATEMENT_TIMEOUT_MS (" + ledgerStatementTimeout.toMillis()
                    + ") must be below INGEST_PUBLISH_TIMEOUT_MS (" + publishTimeout.toMillis()
                    + "): a submit's ledger work must leave it time to publish");
        }
    }

    /** With the default in-flight bound and the ledger's timeouts derived from the publish timeout. */
    public IngestConfig(
            KafkaSettings kafka,
            DatabaseSettings database,
            AuthSettings auth,
            HttpSettings http,
            OpsSettings ops,
            IngestLimits limits,
            CallbackPolicy callbacks,
            Duration publishTimeout,
            Duration idempotencyTtl,
            Duration recoveryInterval) {
        this(
                kafka,
                database,
                auth,
                http,
                ops,
                limits,
                callbacks,
                publishTimeout,
                idempotencyTtl,
                recoveryInterval,
                DEFAULT_MAX_IN_FLIGHT,
                publishTimeout.dividedBy(5),
                publishTimeout.dividedBy(2));
    }

    public static IngestConfig fromEnv(Env env) {
        Duration publishTimeout = Duration.ofMillis(env.longValue("INGEST_PUBLISH_TIMEOUT_MS", 5_000, 1_000, 300_000));
        return new IngestConfig(
                KafkaSettings.fromEnv(env),
                DatabaseSettings.fromEnv(env),
                AuthSettings.fromEnv(env),
                HttpSettings.fromEnv(env, 8080),
                OpsSettings.fromEnv(env, 9464),
                IngestLimits.fromEnv(env),
                CallbackPolicy.fromEnv(env),
                publishTimeout,
                env.duration("IDEMPOTENCY_TTL", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(30)),
                Duration.ofMillis(env.longValue("INGEST_RECOVERY_INTERVAL_MS", 5_000, 100, 600_000)),
                env.integer("INGEST_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT, 1, 1_000_000),
                Duration.ofMillis(
                        env.longValue("INGEST_DB_LOCK_TIMEOUT_MS", publishTimeout.toMillis() / 5, 10, 300_000)),
                Duration.ofMillis(
                        env.longValue("INGEST_DB_STATEMENT_TIMEOUT_MS", publishTimeout.toMillis() / 2, 100, 300_000)));
    }

    /** An ask claimed this long ago and still unpublished was abandoned by its request. */
    Duration abandonedAfter() {
        return publishTimeout.plusSeconds(5);
    }

    /** How long the recovery leases an abandoned ask: one publish, and a second to mark it. */
    Duration recoveryLease() {
        return publishTimeout.plusSeconds(1);
    }

    /** The shortest {@code IDEMPOTENCY_TTL}: an ask abandoned, and its recovery's lease run out. */
    Duration shortestTtl() {
        return shortestTtl(publishTimeout);
    }

    private static Duration shortestTtl(Duration publishTimeout) {
        return publishTimeout.plusSeconds(5).plus(publishTimeout.plusSeconds(1));
    }
}
