package io.askpipe.bench.batch;

import java.util.Locale;

/**
 * Where a batch stands as the benchmark times it: validating its input, queuing its lines as asks
 * (expanding), waiting for the rest of its results once all are queued (draining), writing its
 * files (finalizing), ended. Its status alone does not tell expanding from draining; its
 * checkpoint does.
 */
enum BatchStage {
    VALIDATING,
    EXPANDING,
    DRAINING,
    FINALIZING,
    ENDED;

    /** The phase name of the stage in the benchmark's timeline. */
    String phase() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The stage of a batch in {@code status} whose checkpoint is at {@code expandedBytes} of its
     * input's {@code inputBytes}.
     */
    static BatchStage of(String status, long expandedBytes, long inputBytes) {
        return switch (status) {
            case "validating" -> VALIDATING;
            case "in_progress", "cancelling" -> expandedBytes < inputBytes ? EXPANDING : DRAINING;
            case "finalizing" -> FINALIZING;
            case "completed", "failed", "expired", "cancelled" -> ENDED;
            default -> throw new IllegalArgumentException("a batch's status, not '" + status + "'");
        };
    }
}
