package io.askpipe.ingest;

import io.askpipe.auth.AuthSettings;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.batch.BatchSettings;
import io.askpipe.ingest.files.FileSettings;
import io.askpipe.ingest.quota.QuotaSettings;
import java.time.Duration;
import java.util.List;

/**
 * Everything the ingest API reads from its environment.
 *
 * @param kafka broker and topic settings
 * @param database the idempotency ledger's PostgreSQL, shared by every ingest instance
 * @param auth how callers' API keys are checked
 * @param http where the HTTP server listens ({@code HTTP_HOST}, {@code HTTP_PORT}, default 8080)
 * @param ops where {@code /metrics} and {@code /readyz} listen ({@code OPS_HOST}, {@code OPS_PORT},
 *     default 127.0.0.1:9464)
 * @param limits request size limits, and the backends and models an ask may name; the body limit
 *     at most {@code kafka}'s {@code ASK_MAX_BYTES}
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
 * @param chatCompletionsWait {@code CHAT_COMPLETIONS_WAIT_MS}: how long {@code POST
 *     /v1/chat/completions} waits for its ask's result before it answers 504 (default 55000, below
 *     the proxy's read timeout)
 * @param cancelWait {@code CANCEL_WAIT_MS}: how long {@code POST /v1/ask/{id}/cancel} waits for
 *     the ask's outcome before it answers 202 {@code cancelling} (default 3000)
 * @param quotas the users' default quotas ({@code QUOTA_*}; unlimited unless set) and how long an
 *     ask without a result counts as in flight
 * @param files the limits of an uploaded file ({@code BATCH_MAX_FILE_BYTES}, {@code
 *     BATCH_MAX_LINES}) and how long it is kept ({@code FILE_RETENTION})
 * @param batches how batches are run ({@code BATCH_POLL_INTERVAL_MS}, {@code BATCH_EXPANSION_CHUNK},
 *     {@code BATCH_LEASE_MS}, {@code BATCH_EXPIRY_GRACE})
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
        Duration ledgerStatementTimeout,
        Duration chatCompletionsWait,
        Duration cancelWait,
        QuotaSettings quotas,
        FileSettings files,
        BatchSettings batches) {
    static final Setting<Integer> HTTP_PORT = HttpSettings.PORT.defaultsTo("8080");
    static final Setting<Integer> OPS_PORT = OpsSettings.PORT.defaultsTo("9464");
    public static final Setting<Duration> PUBLISH_TIMEOUT = Setting.millis("INGEST_PUBLISH_TIMEOUT_MS", 1_000, 300_000)
            .defaultsTo("5000")
            .doc("the longest a submit takes; past it the client gets `503` + `Retry-After`");
    public static final Setting<Duration> IDEMPOTENCY_TTL = Setting.duration(
                    "IDEMPOTENCY_TTL", Duration.ofSeconds(1), Duration.ofDays(30))
            .defaultsTo("5m")
            .doc("how long an `Idempotency-Key` and its answer are kept");
    public static final Setting<Duration> RECOVERY_INTERVAL = Setting.millis(
                    "INGEST_RECOVERY_INTERVAL_MS", 100, 600_000)
            .defaultsTo("5000")
            .doc("how often claimed but unpublished asks are published from the ledger, and expired keys deleted");
    public static final Setting<Integer> MAX_IN_FLIGHT = Setting.integer("INGEST_MAX_IN_FLIGHT", 1, 1_000_000)
            .defaultsTo("1024")
            .doc("submits being accepted at once per process; one more gets `503` at once");
    public static final Setting<Duration> LEDGER_LOCK_TIMEOUT = Setting.millis("INGEST_DB_LOCK_TIMEOUT_MS", 10, 300_000)
            .derivedDefault(
                    "a fifth of `INGEST_PUBLISH_TIMEOUT_MS`", env -> ledgerLockTimeout(env.get(PUBLISH_TIMEOUT)))
            .doc("PostgreSQL `lock_timeout` of the ledger's connections");
    public static final Setting<Duration> LEDGER_STATEMENT_TIMEOUT = Setting.millis(
                    "INGEST_DB_STATEMENT_TIMEOUT_MS", 100, 300_000)
            .derivedDefault(
                    "half of `INGEST_PUBLISH_TIMEOUT_MS`", env -> ledgerStatementTimeout(env.get(PUBLISH_TIMEOUT)))
            .doc("PostgreSQL `statement_timeout` of the ledger's connections");

    public static final Setting<Duration> CHAT_COMPLETIONS_WAIT = Setting.millis(
                    "CHAT_COMPLETIONS_WAIT_MS", 100, 600_000)
            .defaultsTo("55000")
            .doc("how long `POST /v1/chat/completions` waits for its ask's result; past it `504` `wait_expired`"
                    + " with the ask's id, and the ask goes on");

    public static final Setting<Duration> CANCEL_WAIT = Setting.millis("CANCEL_WAIT_MS", 0, 60_000)
            .defaultsTo("3000")
            .doc("how long `POST /v1/ask/{id}/cancel` waits for the ask's outcome; past it `202` `cancelling`,"
                    + " and the cancel goes on");

    public static final int DEFAULT_MAX_IN_FLIGHT = MAX_IN_FLIGHT.defaultValue();

    public IngestConfig {
        if (limits.maxBodyBytes() > kafka.sizes().askMaxBytes()) {
            throw new ConfigException("the body limit (" + limits.maxBodyBytes() + " bytes) exceeds ASK_MAX_BYTES ("
                    + kafka.sizes().askMaxBytes() + "), from which Kafka's record limits are derived: an ask"
                    + " ingest accepted could not be published");
        }
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

    /** With the default quotas (unlimited) and the default limits of files. */
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
            Duration recoveryInterval,
            int maxInFlight,
            Duration ledgerLockTimeout,
            Duration ledgerStatementTimeout,
            Duration chatCompletionsWait,
            Duration cancelWait) {
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
                maxInFlight,
                ledgerLockTimeout,
                ledgerStatementTimeout,
                chatCompletionsWait,
                cancelWait,
                QuotaSettings.DEFAULTS,
                FileSettings.DEFAULTS,
                BatchSettings.DEFAULTS);
    }

    /** This configuration with {@code quotas} instead. */
    public IngestConfig withQuotas(QuotaSettings quotas) {
        return new IngestConfig(
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
                maxInFlight,
                ledgerLockTimeout,
                ledgerStatementTimeout,
                chatCompletionsWait,
                cancelWait,
                quotas,
                files,
                batches);
    }

    /** This configuration with {@code files} instead. */
    public IngestConfig withFiles(FileSettings files) {
        return new IngestConfig(
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
                maxInFlight,
                ledgerLockTimeout,
                ledgerStatementTimeout,
                chatCompletionsWait,
                cancelWait,
                quotas,
                files,
                batches);
    }

    /** This configuration with {@code batches} instead. */
    public IngestConfig withBatches(BatchSettings batches) {
        return new IngestConfig(
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
                maxInFlight,
                ledgerLockTimeout,
                ledgerStatementTimeout,
                chatCompletionsWait,
                cancelWait,
                quotas,
                files,
                batches);
    }

    /**
     * With the default in-flight bound, the ledger's timeouts derived from the publish timeout, and
     * the default waits of {@code POST /v1/chat/completions} and {@code POST /v1/ask/{id}/cancel}.
     */
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
                ledgerLockTimeout(publishTimeout),
                ledgerStatementTimeout(publishTimeout),
                CHAT_COMPLETIONS_WAIT.defaultValue(),
                CANCEL_WAIT.defaultValue(),
                QuotaSettings.DEFAULTS,
                FileSettings.DEFAULTS,
                BatchSettings.DEFAULTS);
    }

    public static IngestConfig fromEnv(Env env) {
        Duration publishTimeout = env.get(PUBLISH_TIMEOUT);
        return new IngestConfig(
                KafkaSettings.fromEnv(env),
                DatabaseSettings.fromEnv(env),
                AuthSettings.fromEnv(env),
                HttpSettings.fromEnv(env, HTTP_PORT),
                OpsSettings.fromEnv(env, OPS_PORT),
                IngestLimits.fromEnv(env),
                CallbackPolicy.fromEnv(env),
                publishTimeout,
                env.get(IDEMPOTENCY_TTL),
                env.get(RECOVERY_INTERVAL),
                env.get(MAX_IN_FLIGHT),
                env.get(LEDGER_LOCK_TIMEOUT),
                env.get(LEDGER_STATEMENT_TIMEOUT),
                env.get(CHAT_COMPLETIONS_WAIT),
                env.get(CANCEL_WAIT),
                QuotaSettings.fromEnv(env),
                FileSettings.fromEnv(env),
                BatchSettings.fromEnv(env));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                KafkaSettings.settings(),
                DatabaseSettings.settings(),
                AuthSettings.settings(),
                HttpSettings.settings(HTTP_PORT),
                OpsSettings.settings(OPS_PORT),
                IngestLimits.settings(),
                CallbackPolicy.settings(),
                QuotaSettings.settings(),
                FileSettings.settings(),
                BatchSettings.settings(),
                List.of(
                        PUBLISH_TIMEOUT,
                        IDEMPOTENCY_TTL,
                        RECOVERY_INTERVAL,
                        MAX_IN_FLIGHT,
                        LEDGER_LOCK_TIMEOUT,
                        LEDGER_STATEMENT_TIMEOUT,
                        CHAT_COMPLETIONS_WAIT,
                        CANCEL_WAIT));
    }

    /** The ledger's lock timeout unless set: a fifth of the publish timeout. */
    private static Duration ledgerLockTimeout(Duration publishTimeout) {
        return Duration.ofMillis(publishTimeout.toMillis() / 5);
    }

    /** The ledger's statement timeout unless set: half the publish timeout. */
    private static Duration ledgerStatementTimeout(Duration publishTimeout) {
        return Duration.ofMillis(publishTimeout.toMillis() / 2);
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
