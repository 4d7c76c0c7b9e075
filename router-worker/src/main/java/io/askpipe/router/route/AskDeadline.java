package io.askpipe.router.route;

import io.askpipe.router.resilience.CallDeadline;
import io.askpipe.schemas.AskRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The moment one ask's backend work must end, as a {@link System#nanoTime()} deadline: the
 * router's own budget for it ({@code ROUTER_ASK_DEADLINE_MS} from when the router took it, moved on
 * by the time the ask waited for permits of the provider limits: the budget is for backend work),
 * or the ask's own deadline ({@link AskRequest#deadline()}) when that comes first. Which of the two
 * ends the work decides how the ask ends: the budget fails it as a {@code timeout}, the ask's own
 * deadline ends it {@code expired}. Not thread-safe; one per ask.
 */
final class AskDeadline implements CallDeadline {
    /** The farthest an own deadline is taken to be: far enough, and no overflow of nanoTime sums. */
    private static final long FARTHEST = Duration.ofDays(365L * 100).toNanos();

    private final Optional<Instant> own;
    private final Optional<Long> ownNanos;
    private long budgetNanos;
    private long waitedNanos;

    private AskDeadline(Optional<Instant> own, Optional<Long> ownNanos, long budgetNanos) {
        this.own = own;
        this.ownNanos = ownNanos;
        this.budgetNanos = budgetNanos;
    }

    /** The deadline of {@code request}, taken now ({@code clock}, {@code startedNanos}) with {@code budget}. */
    static AskDeadline of(AskRequest request, Duration budget, Clock clock, long startedNanos) {
        long budgetNanos = startedNanos + budget.toNanos();
        if (request.deadline().isEmpty()) {
            return new AskDeadline(Optional.empty(), Optional.empty(), budgetNanos);
        }
        Instant own = request.deadline().get();
        // at least nothing (already past), at most a century: never an overflow
        long left = Math.clamp(saturatedNanos(Duration.between(clock.instant(), own)), 0, FARTHEST);
        return new AskDeadline(Optional.of(own), Optional.of(startedNanos + left), budgetNanos);
    }

    /** The deadline to pass to the {@link io.askpipe.router.resilience.ResilientCaller}. */
    @Override
    public long nanos() {
        // nanoTime values are compared only as differences
        return ownNanos.filter(o -> o - budgetNanos <= 0).orElse(budgetNanos);
    }

    /** A wait for a permit lasts at most until the ask's own deadline; the budget does not bound it. */
    @Override
    public Optional<Long> waitBound() {
        return ownNanos;
    }

    @Override
    public void waited(Duration waited) {
        budgetNanos += waited.toNanos();
        waitedNanos += waited.toNanos();
    }

    /** How long the ask waited for permits, all its attempts together. */
    Duration waited() {
        return Duration.ofNanos(waitedNanos);
    }

    /** Whether no time is left: no call, and no further attempt, may start. */
    boolean reached() {
        return System.nanoTime() - nanos() >= 0;
    }

    /**
     * Whether work stopped by the deadline ends the ask {@code expired}: the ask's own deadline comes
     * no later than the router's budget. Else a stop by the deadline is the budget's {@code timeout}.
     */
    boolean expires() {
        return ownNanos.isPresent() && ownNanos.get() - budgetNanos <= 0;
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
