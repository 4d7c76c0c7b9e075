package io.askpipe.store;

import io.askpipe.auth.AuthSettings;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.store.webhook.WebhookSettings;
import java.time.Duration;
import java.util.List;

/**
 * Everything the result store reads from its environment.
 *
 * @param kafka broker and topic settings
 * @param database the PostgreSQL the store writes to and serves from
 * @param auth how callers' API keys are checked
 * @param http where the read API listens ({@code HTTP_PORT}, default 8082)
 * @param ops where {@code /metrics} and {@code /readyz} listen ({@code OPS_HOST}, {@code OPS_PORT},
 *     default 127.0.0.1:9466)
 * @param applicationId {@code STORE_APPLICATION_ID}: the prefix of the store's consumer groups
 *     ({@code -asks}, {@code -batch-events}), shared by every instance (default askpipe-result-store)
 * @param writeBatch {@code STORE_WRITE_BATCH}: records (asks' requests, progress and results) the
 *     writer reads per poll and writes to PostgreSQL in one transaction, at most (default 500)
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
        int writeBatch,
        int maxWaiters,
        int maxWaitersPerUser,
        Duration retention,
        WebhookSettings webhooks) {

    static final Setting<Integer> HTTP_PORT = HttpSettings.PORT.defaultsTo("8082");
    static final Setting<Integer> OPS_PORT = OpsSettings.PORT.defaultsTo("9466");
    public static final Setting<String> APPLICATION_ID = Setting.text("STORE_APPLICATION_ID")
            .defaultsTo("askpipe-result-store")
            .doc("prefix of the store's consumer groups (`-asks`, `-batch-events`), shared by all instances");
    public static final Setting<Integer> WRITE_BATCH = Setting.integer("STORE_WRITE_BATCH", 1, 10_000)
            .defaultsTo("500")
            .doc("records (asks' requests, progress, results) the writer takes per poll and writes in one"
                    + " transaction, at most");
    public static final Setting<Integer> MAX_WAITERS = Setting.integer("STORE_MAX_WAITERS", 0, 1_000_000)
            .defaultsTo("10000")
            .doc("clients that may long-poll at once on one instance");
    public static final Setting<Integer> MAX_WAITERS_PER_USER = Setting.integer(
                    "STORE_MAX_WAITERS_PER_USER", 0, 1_000_000)
            .defaultsTo("1000")
            .doc("long polls one user may have waiting at once on one instance; beyond it, `429`");
    public static final Setting<Duration> RETENTION = Setting.duration(
                    "STORE_RETENTION", Duration.ofMinutes(1), Duration.ofDays(3650))
            .defaultsTo("30d")
            .doc("how long a finished ask stays readable after it completed");

    public static StoreConfig fromEnv(Env env) {
        String applicationId = env.get(APPLICATION_ID);
        return new StoreConfig(
                KafkaSettings.fromEnv(env),
                DatabaseSettings.fromEnv(env),
                AuthSettings.fromEnv(env),
                HttpSettings.fromEnv(env, HTTP_PORT),
                OpsSettings.fromEnv(env, OPS_PORT),
                applicationId,
                env.get(WRITE_BATCH),
                env.get(MAX_WAITERS),
                env.get(MAX_WAITERS_PER_USER),
                env.get(RETENTION),
                WebhookSettings.fromEnv(env));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                KafkaSettings.settings(),
                DatabaseSettings.settings(),
                AuthSettings.settings(),
                HttpSettings.settings(HTTP_PORT),
                OpsSettings.settings(OPS_PORT),
                List.of(APPLICATION_ID, WRITE_BATCH, MAX_WAITERS, MAX_WAITERS_PER_USER, RETENTION),
                WebhookSettings.settings());
    }
}
