package io.askpipe.router.route;

import io.askpipe.schemas.AskRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The moment one ask's backend work must end, as a {@link System#nanoTime()} deadline: the
 * router's own budget for it ({@code ROUTER_ASK_DEADLINE_MS} from when the router took it), or the
 * ask's own deadline ({@link AskRequest#deadline()}) when that comes first. Which of the two ends
 * the work decides how the ask ends: the budget fails it as a {@code timeout}, the ask's own
 * deadline ends it {@code expired}. Not thread-safe; one per ask.
 */
final class AskDeadline {
    private final Optional<Instant> own;
    private final long nanos;
    private final boolean ownComesFirst;

    private AskDeadline(Optional<Instant> own, long nanos, boolean ownComesFirst) {
        this.own = own;
        this.nanos = nanos;
        this.ownComesFirst = ownComesFirst;
    }

    /** The deadline of {@code request}, taken now ({@code clock}, {@code startedNanos}) with {@code budget}. */
    static AskDeadline of(AskRequest request, Duration budget, Clock clock, long startedNanos) {
        if (request.deadline().isEmpty()) {
            return new AskDeadline(Optional.empty(), startedNanos + budget.toNanos(), false);
        }
        Instant own = request.deadline().get();
        // at least nothing (already past), at most just past the budget: never an overflow
        long left = Math.clamp(saturatedNanos(Duration.between(clock.instant(), own)), 0, budget.toNanos() + 1);
        // nanoTime values are compared only as differences: the time left against the budget
        boolean ownComesFirst = left <= budget.toNanos();
        return new AskDeadline(Optional.of(own), startedNanos + Math.min(left, budget.toNanos()), ownComesFirst);
    }

    /** The deadline to pass to the {@link io.askpipe.router.resilience.ResilientCaller}. */
    long nanos() {
        return nanos;
    }

    /** Whether no time is left: no call, and no further attempt, may start. */
    boolean reached() {
        return System.nanoTime() - nanos >= 0;
    }

    /**
     * Whether work stopped by the deadline ends the ask {@code expired}: the ask's own deadline comes
     * no later than the router's budget. Else a stop by the deadline is the budget's {@code timeout}.
     */
    boolean expires() {
        return ownComesFirst;
    }

    /** The ask's own deadline, if it has one. */
    Optional<Instant> own() {
        return own;
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return duration.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }
}
