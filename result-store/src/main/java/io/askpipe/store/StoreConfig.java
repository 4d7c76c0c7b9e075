package io.askpipe.store;

import io.askpipe.auth.AuthSettings;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.store.webhook.WebhookSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the result store reads from its environment.
 *
 * @param kafka broker and topic settings
 * @param database the PostgreSQL the store writes to and serves from
 * @param auth how callers' API keys are checked
 * @param http where the read API listens ({@code HTTP_PORT}, default 8082)
 * @param ops where {@code /metrics} and {@code /readyz} listen ({@code OPS_HOST}, {@code OPS_PORT},
 *     default 127.0.0.1:9466)
 * @param applicationId {@code STORE_APPLICATION_ID}: the Kafka Streams application id, shared by
 *     every instance (default askpipe-result-store)
 * @param stateDir {@code STORE_STATE_DIR}: where Kafka Streams keeps its local state (default a
 *     directory under java.io.tmpdir)
 * @param commitInterval {@code STORE_COMMIT_INTERVAL_MS}: how often Streams commits; under
 *     exactly-once this bounds how soon a result becomes visible (default 20)
 * @param writeBatch {@code STORE_WRITE_BATCH}: joined asks the writer reads per poll and writes to
 *     PostgreSQL in one transaction, at most (default 500)
 * @param maxWaiters {@code STORE_MAX_WAITERS}: clients that may long-poll ({@code ?wait=}) at once
 *     on one instance; beyond it a long poll answers at once (default 10000)
 * @param maxWaitersPerUser {@code STORE_MAX_WAITERS_PER_USER}: long polls one user may have waiting
 *     at once on one instance; beyond it a long poll is a 429 problem (default 1000)
 * @param retention {@code STORE_RETENTION}: how long a terminal ask is kept after it completed
 *     before the background purge deletes it, with its webhook delivery records (default 30d)
 * @param webhooks how webhooks are delivered
 */
public record StoreConfig(
        KafkaSettings kafka,
        DatabaseSettings database,
        AuthSettings auth,
        HttpSettings http,
        OpsSettings ops,
        String applicationId,
        Path stateDir,
        Duration commitInterval,
        int writeBatch,
        int maxWaiters,
        int maxWaitersPerUser,
        Duration retention,
        WebhookSettings webhooks) {

    public static StoreConfig fromEnv(Env env) {
        String applicationId = env.string("STORE_APPLICATION_ID", "askpipe-result-store");
        return new StoreConfig(
                KafkaSettings.fromEnv(env),
                DatabaseSettings.fromEnv(env),
                AuthSettings.fromEnv(env),
                HttpSettings.fromEnv(env, 8082),
                OpsSettings.fromEnv(env, 9466),
                applicationId,
                Path.of(env.string(
                        "STORE_STATE_DIR",
                        Path.of(System.getProperty("java.io.tmpdir"), "askpipe-streams")
                                .toString())),
                Duration.ofMillis(env.longValue("STORE_COMMIT_INTERVAL_MS", 20, 1, 60_000)),
                env.integer("STORE_WRITE_BATCH", 500, 1, 10_000),
                env.integer("STORE_MAX_WAITERS", 10_000, 0, 1_000_000),
                env.integer("STORE_MAX_WAITERS_PER_USER", 1_000, 0, 1_000_000),
                env.duration("STORE_RETENTION", Duration.ofDays(30), Duration.ofMinutes(1), Duration.ofDays(3650)),
                WebhookSettings.fromEnv(env));
    }
}
