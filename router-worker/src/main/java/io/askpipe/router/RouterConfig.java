package io.askpipe.router;

import io.askpipe.common.Env;
import io.askpipe.common.HttpSettings;
import io.askpipe.common.KafkaSettings;
import java.time.Duration;

/**
 * Everything the router worker reads from its environment.
 *
 * @param kafka broker and topic settings
 * @param http where the metrics and health endpoints listen ({@code HTTP_PORT}, default 8081)
 * @param groupId {@code ROUTER_GROUP_ID}: the consumer group all workers share (default
 *     askpipe-router)
 * @param promptBackend {@code PROMPT_BACKEND}: the backend for asks that name none (default dryrun)
 * @param llmTimeout {@code LLM_TIMEOUT_MS}: the time limit on one backend call (default 30000)
 * @param dryrunLatency {@code DRYRUN_LATENCY_MS}: how long the dryrun backend takes (default 0)
 * @param maxPollRecords {@code ROUTER_MAX_POLL_RECORDS}: asks taken per poll (default 500)
 */
public record RouterConfig(
        KafkaSettings kafka,
        HttpSettings http,
        String groupId,
        String promptBackend,
        Duration llmTimeout,
        Duration dryrunLatency,
        int maxPollRecords) {

    public static RouterConfig fromEnv(Env env) {
        return new RouterConfig(
                KafkaSettings.fromEnv(env),
                HttpSettings.fromEnv(env, 8081),
                env.string("ROUTER_GROUP_ID", "askpipe-router"),
                env.string("PROMPT_BACKEND", DryrunBackend.NAME),
                Duration.ofMillis(env.longValue("LLM_TIMEOUT_MS", 30_000, 1, 600_000)),
                Duration.ofMillis(env.longValue("DRYRUN_LATENCY_MS", 0, 0, 600_000)),
                env.integer("ROUTER_MAX_POLL_RECORDS", 500, 1, 10_000));
    }

    /** Defaults for an in-process worker against {@code kafka}. */
    public static RouterConfig local(KafkaSettings kafka) {
        return new RouterConfig(
                kafka,
                new HttpSettings("127.0.0.1", 0),
                "askpipe-router",
                DryrunBackend.NAME,
                Duration.ofSeconds(30),
                Duration.ZERO,
                500);
    }

    public RouterConfig withGroupId(String groupId) {
        return new RouterConfig(kafka, http, groupId, promptBackend, llmTimeout, dryrunLatency, maxPollRecords);
    }
}
