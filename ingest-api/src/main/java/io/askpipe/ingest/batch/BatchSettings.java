package io.askpipe.ingest.batch;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How batches are run: how often each ingest instance looks for batches with work left, how many
 * lines a chunk of their expansion queues, how long a runner's lease lasts, and how long past a
 * batch's window its lines may still answer. (How many lines an input file may hold is the files'
 * {@code BATCH_MAX_LINES}.)
 *
 * @param pollInterval {@code BATCH_POLL_INTERVAL_MS}: how often a runner looks for work when it has
 *     none (a create or cancel in the same instance wakes it at once)
 * @param expansionChunk {@code BATCH_EXPANSION_CHUNK}: lines queued per chunk, the unit a crash
 *     redoes
 * @param lease {@code BATCH_LEASE_MS}: how long a runner holds a batch without renewing its lease;
 *     a dead instance's batches move on this long after it died
 * @param expiryGrace {@code BATCH_EXPIRY_GRACE}: how long past a batch's window its last lines may
 *     still bring their results before the runner expires them itself
 */
public record BatchSettings(Duration pollInterval, int expansionChunk, Duration lease, Duration expiryGrace) {
    public static final Setting<Duration> POLL_INTERVAL = Setting.millis("BATCH_POLL_INTERVAL_MS", 10, 600_000)
            .defaultsTo("1000")
            .doc("how often each ingest instance looks for batches with work left");
    public static final Setting<Integer> EXPANSION_CHUNK = Setting.integer("BATCH_EXPANSION_CHUNK", 1, 10_000)
            .defaultsTo("1000")
            .doc("lines of a batch queued as asks per chunk: inserted, published, acknowledged, then checkpointed");
    public static final Setting<Duration> LEASE = Setting.millis("BATCH_LEASE_MS", 1_000, 3_600_000)
            .defaultsTo("30000")
            .doc("how long a runner holds a batch without renewing its lease (renewed every third of it)");
    public static final Setting<Duration> EXPIRY_GRACE = Setting.duration(
                    "BATCH_EXPIRY_GRACE", Duration.ZERO, Duration.ofDays(1))
            .defaultsTo("1m")
            .doc("how long past a batch's window its lines may still bring their results before they are expired");

    /** The defaults, as an environment that sets nothing gets them. */
    public static final BatchSettings DEFAULTS = fromEnv(Env.of(Map.of()));

    public BatchSettings {
        if (expansionChunk < 1) {
            throw new IllegalArgumentException("a chunk holds at least one line");
        }
    }

    public static BatchSettings fromEnv(Env env) {
        return new BatchSettings(
                env.get(POLL_INTERVAL), env.get(EXPANSION_CHUNK), env.get(LEASE), env.get(EXPIRY_GRACE));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(POLL_INTERVAL, EXPANSION_CHUNK, LEASE, EXPIRY_GRACE);
    }

    /** These settings with {@code grace} as the expiry grace. */
    public BatchSettings withExpiryGrace(Duration grace) {
        return new BatchSettings(pollInterval, expansionChunk, lease, grace);
    }

    /** These settings with {@code lines} per chunk of the expansion. */
    public BatchSettings withExpansionChunk(int lines) {
        return new BatchSettings(pollInterval, lines, lease, expiryGrace);
    }
}
