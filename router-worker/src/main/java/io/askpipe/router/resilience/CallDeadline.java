package io.askpipe.router.resilience;

import java.time.Duration;
import java.util.Optional;

/**
 * When one ask's backend work must end ({@link System#nanoTime()} based), and how a wait for a
 * permit of the provider limits moves it: the router's own budget is for backend work and moves on
 * by the wait, the ask's own deadline does not. Used by the ask's thread only.
 */
public interface CallDeadline {
    /** When the backend work must end. */
    long nanos();

    /** Until when a wait for a permit may last: the ask's own deadline; empty when it has none. */
    Optional<Long> waitBound();

    /** The ask waited {@code waited} for a permit: the router's budget moves on by as much. */
    void waited(Duration waited);

    /** A deadline that no wait moves, and that bounds no wait (tests, and callers without limits). */
    static CallDeadline fixed(long nanos) {
        return new CallDeadline() {
            @Override
            public long nanos() {
                return nanos;
            }

            @Override
            public Optional<Long> waitBound() {
                return Optional.empty();
            }

            @Override
            public void waited(Duration waited) {}
        };
    }
}
