package io.askpipe.router;

import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.router.backend.BackendSettings;
import io.askpipe.router.resilience.ResilienceSettings;
import io.askpipe.router.route.Routing;
import java.time.Duration;
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
        int maxInFlight,
        int maxPollRecords,
        Duration commitInterval,
        Duration shutdownGrace,
        Duration progressAfter,
        Duration retention) {

    public static RouterConfig fromEnv(Env env) {
        int maxInFlight = env.integer("ROUTER_MAX_IN_FLIGHT", 256, 1, 100_000);
        return new RouterConfig(
                KafkaSettings.fromEnv(env),
                DatabaseSettings.fromEnv(env),
                HttpSettings.fromEnv(env, 8081),
                OpsSettings.fromEnv(env, 9465),
                env.string("ROUTER_GROUP_ID", "askpipe-router"),
                Routing.fromEnv(env),
                BackendSettings.fromEnv(env),
                ResilienceSettings.fromEnv(env),
                maxInFlight,
                Math.min(maxInFlight, env.integer("ROUTER_MAX_POLL_RECORDS", 500, 1, 10_000)),
                Duration.ofMillis(env.longValue("ROUTER_COMMIT_INTERVAL_MS", 200, 10, 60_000)),
                Duration.ofMillis(env.longValue("ROUTER_SHUTDOWN_GRACE_MS", 30_000, 0, 600_000)),
                Duration.ofMillis(env.longValue("ROUTER_PROGRESS_AFTER_MS", 100, 0, 60_000)),
                env.duration("ROUTER_RETENTION", Duration.ofDays(30), Duration.ofMinutes(1), Duration.ofDays(3650)));
    }

    /** Defaults for a worker in tests and the development stack, with the given extra variables. */
    public static RouterConfig local(KafkaSettings kafka, DatabaseSettings database, Map<String, String> vars) {
        Map<String, String> env = new java.util.HashMap<>(vars);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_TOPIC_PREFIX", kafka.topicPrefix());
        env.put("DATABASE_URL", database.jdbcUrl());
        env.put("DATABASE_USER", database.user());
        env.put("DATABASE_PASSWORD", database.password());
        env.putIfAbsent("HTTP_HOST", "127.0.0.1");
        return fromEnv(Env.of(env));
    }
}
