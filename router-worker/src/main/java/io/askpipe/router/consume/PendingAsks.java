package io.askpipe.router.consume;

import io.askpipe.schemas.Priority;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The polled asks waiting for an in-flight slot, and which of them goes next (docs/adr/0028):
 * interactive asks first, each priority in the order it was polled; while asks of both priorities
 * could start, at least one start in {@link Priority#BATCH_ONE_IN} goes to a batch ask, so batch
 * work is never starved; and batch asks never hold more than {@link #batchSlots(int)} of the
 * slots, so an interactive ask that arrives during a batch backlog finds one free.
 *
 * <p>Not thread-safe: the consumer thread only.
 *
 * @param <T> what waits (the loop's fetched records)
 */
final class PendingAsks<T> {
    /** The share of the in-flight slots batch asks leave to interactive ones. */
    static final int INTERACTIVE_RESERVE_PERCENT = 10;

    private final Deque<T> interactive = new ArrayDeque<>();
    private final Deque<T> batch = new ArrayDeque<>();
    private final int batchSlots;
    /** Interactive starts in a row while a batch ask could have started instead. */
    private int interactiveRun;

    /** @param maxInFlight the slots of the worker, {@code ROUTER_MAX_IN_FLIGHT} */
    PendingAsks(int maxInFlight) {
        this.batchSlots = batchSlots(maxInFlight);
    }

    /**
     * The slots kept for interactive asks out of {@code maxInFlight}: {@value
     * #INTERACTIVE_RESERVE_PERCENT}% rounded down, at least one once there are two slots (a
     * worker of one slot cannot keep one back without never running batch asks).
     */
    static int interactiveReserve(int maxInFlight) {
        return maxInFlight < 2 ? 0 : Math.max(1, maxInFlight * INTERACTIVE_RESERVE_PERCENT / 100);
    }

    /** The most slots batch asks may hold at once out of {@code maxInFlight}. */
    static int batchSlots(int maxInFlight) {
        return maxInFlight - interactiveReserve(maxInFlight);
    }

    /** Puts {@code ask}, of {@code priority}, behind the others of its priority. */
    void add(Priority priority, T ask) {
        queue(priority).add(ask);
    }

    /**
     * Takes the ask to start in a free slot while {@code batchInFlight} batch asks run; empty when
     * none may: nothing waits, or only batch asks wait and they hold their share of the slots.
     */
    Optional<T> next(int batchInFlight) {
        boolean batchMayStart = !batch.isEmpty() && batchInFlight < batchSlots;
        if (interactive.isEmpty()) {
            if (!batchMayStart) {
                return Optional.empty();
            }
            interactiveRun = 0;
            return Optional.of(batch.poll());
        }
        if (batchMayStart) {
            if (interactiveRun >= Priority.BATCH_ONE_IN - 1) {
                interactiveRun = 0;
                return Optional.of(batch.poll());
            }
            interactiveRun++;
        }
        return Optional.of(interactive.poll());
    }

    /** Asks of {@code priority} waiting. */
    int waiting(Priority priority) {
        return queue(priority).size();
    }

    boolean isEmpty() {
        return interactive.isEmpty() && batch.isEmpty();
    }

    /** Drops the waiting asks that match {@code filter} (their partitions were revoked). */
    void removeIf(Predicate<T> filter) {
        interactive.removeIf(filter);
        batch.removeIf(filter);
    }

    void clear() {
        interactive.clear();
        batch.clear();
    }

    private Deque<T> queue(Priority priority) {
        return switch (priority) {
            case INTERACTIVE -> interactive;
            case BATCH -> batch;
        };
    }
}
