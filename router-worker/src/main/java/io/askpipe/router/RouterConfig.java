package io.askpipe.router;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.router.limit.LimitSettings;
import io.askpipe.router.resilience.ResilienceSettings;
import io.askpipe.router.route.BackendSettings;
import io.askpipe.router.route.Routing;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the router worker reads from its environment.
 *
 * @param kafka broker and topic settings
 * @param database where the router keeps the results it produced (deduplication across workers)
 * @param http where the liveness endpoint listens ({@code HTTP_PORT}, default 8081)
 * @param ops where {@code /metrics} and {@code /readyz} listen ({@code OPS_HOST}, {@code OPS_PORT},
 *     default 127.0.0.1:9465)
 * @param groupId {@code ROUTER_GROUP_ID}: the consumer group all workers share (default
 *     askpipe-router)
 * @param routing the backend catalog ({@code ASKPIPE_BACKENDS}, {@code ASKPIPE_MODELS}, {@code
 *     ROUTER_MODEL_ROUTES}, {@code ROUTER_FALLBACKS}, {@code PROMPT_BACKEND}), which ingest reads
 *     alike
 * @param backends the backends' own settings
 * @param resilience retries, circuit breakers and the ask deadline
 * @param limits the provider limits every worker shares ({@code <BACKEND>_RPM}, {@code
 *     <BACKEND>_TPM}, {@code <BACKEND>_MAX_CONCURRENCY}, {@code ROUTER_MODEL_LIMITS})
 * @param maxInFlight {@code ROUTER_MAX_IN_FLIGHT}: asks handled at once by one worker (default 256)
 * @param maxPollRecords {@code ROUTER_MAX_POLL_RECORDS}: asks taken per poll (default 500, at most
 *     {@code maxInFlight})
 * @param commitInterval {@code ROUTER_COMMIT_INTERVAL_MS}: how often finished offsets are committed
 *     (default 200)
 * @param shutdownGrace {@code ROUTER_SHUTDOWN_GRACE_MS}: how long running asks may finish when the
 *     worker stops or loses partitions, before they are handed back (default 30000)
 * @param progressAfter {@code ROUTER_PROGRESS_AFTER_MS}: how long a backend call runs before the
 *     ask is published as running (default 100; 0: as the call starts). An ask answered sooner
 *     goes from queued to its result directly, which spares the progress record and the row
 *     written as running.
 * @param retention {@code ROUTER_RETENTION}: how long a result stays in {@code router.results}
 *     after it completed, and the age past which an ask is not run at all (default 30d; keep it
 *     equal to the result store's {@code STORE_RETENTION})
 */
public record RouterConfig(
        KafkaSettings kafka,
        DatabaseSettings database,
        HttpSettings http,
        OpsSettings ops,
        String groupId,
        Routing routing,
        BackendSettings backends,
        ResilienceSettings resilience,
        LimitSettings limits,
        int maxInFlight,
        int maxPollRecords,
        Duration commitInterval,
        Duration shutdownGrace,
        Duration progressAfter,
        Duration retention) {

    static final Setting<Integer> HTTP_PORT = HttpSettings.PORT.defaultsTo("8081");
    static final Setting<Integer> OPS_PORT = OpsSettings.PORT.defaultsTo("9465");
    public static final Setting<String> GROUP_ID = Setting.text("ROUTER_GROUP_ID")
            .defaultsTo("askpipe-router")
            .doc("consumer group shared by all workers of a deployment");
    public static final Setting<Integer> MAX_IN_FLIGHT = Setting.integer("ROUTER_MAX_IN_FLIGHT", 1, 100_000)
            .defaultsTo("256")
            .doc("asks one worker handles at once; beyond it, partitions are paused");
    public static final Setting<Integer> MAX_POLL_RECORDS = Setting.integer("ROUTER_MAX_POLL_RECORDS", 1, 10_000)
            .defaultsTo("500")
            .doc("asks fetched per poll, at most `ROUTER_MAX_IN_FLIGHT`");
    public static final Setting<Duration> COMMIT_INTERVAL = Setting.millis("ROUTER_COMMIT_INTERVAL_MS", 10, 60_000)
            .defaultsTo("200")
            .doc("how often the offsets of finished asks are committed");
    public static final Setting<Duration> SHUTDOWN_GRACE = Setting.millis("ROUTER_SHUTDOWN_GRACE_MS", 0, 600_000)
            .defaultsTo("30000")
            .doc("how long running asks may finish on shutdown or revocation before the rest is handed back");
    public static final Setting<Duration> PROGRESS_AFTER = Setting.millis("ROUTER_PROGRESS_AFTER_MS", 0, 60_000)
            .defaultsTo("100")
            .doc("how long a backend call runs before the ask is published as `running`");
    public static final Setting<Duration> RETENTION = Setting.duration(
                    "ROUTER_RETENTION", Duration.ofMinutes(1), Duration.ofDays(3650))
            .defaultsTo("30d")
            .doc("how long the first result of an ask stays in `router.results`; older asks are not run");

    public static RouterConfig fromEnv(Env env) {
        int maxInFlight = env.get(MAX_IN_FLIGHT);
        KafkaSettings kafka = KafkaSettings.fromEnv(env);
        DatabaseSettings database = DatabaseSettings.fromEnv(env);
        HttpSettings http = HttpSettings.fromEnv(env, HTTP_PORT);
        OpsSettings ops = OpsSettings.fromEnv(env, OPS_PORT);
        String groupId = env.get(GROUP_ID);
        Routing routing = Routing.fromEnv(env);
        return new RouterConfig(
                kafka,
                database,
                http,
                ops,
                groupId,
                routing,
                BackendSettings.fromEnv(env, routing.backends()),
                ResilienceSettings.fromEnv(env),
                LimitSettings.fromEnv(env, routing.backends()),
                maxInFlight,
                Math.min(maxInFlight, env.get(MAX_POLL_RECORDS)),
                env.get(COMMIT_INTERVAL),
                env.get(SHUTDOWN_GRACE),
                env.get(PROGRESS_AFTER),
                env.get(RETENTION));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                KafkaSettings.settings(),
                DatabaseSettings.settings(),
                HttpSettings.settings(HTTP_PORT),
                OpsSettings.settings(OPS_PORT),
                List.of(GROUP_ID),
                Routing.settings(),
                BackendSettings.settings(),
                ResilienceSettings.settings(),
                LimitSettings.settings(),
                List.of(MAX_IN_FLIGHT, MAX_POLL_RECORDS, COMMIT_INTERVAL, SHUTDOWN_GRACE, PROGRESS_AFTER, RETENTION));
    }

    /** Defaults for a worker in tests and the development stack, with the given extra variables. */
    public static RouterConfig local(KafkaSettings kafka, DatabaseSettings database, Map<String, String> vars) {
        Map<String, String> env = new java.util.HashMap<>(vars);
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
        env.put(KafkaSettings.TOPIC_PREFIX.name(), kafka.topicPrefix());
        env.put(DatabaseSettings.URL.name(), database.jdbcUrl());
        env.put(DatabaseSettings.USER.name(), database.user());
        env.put(DatabaseSettings.PASSWORD.name(), database.password());
        env.putIfAbsent(HttpSettings.HOST.name(), "127.0.0.1");
        return fromEnv(Env.of(env));
    }
}
