package io.askpipe.common.retry;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * Exponential backoff between the tries of an infrastructure step (a query, a publish) that is
 * retried until it passes: {@code initial}, then doubling up to {@code max}. Immutable; each
 * {@link #delays()} is a sequence of its own for one thread.
 */
public record Backoff(Duration initial, Duration max) {
    /** From 100 ms to 5 s: the backoff of every step askpipe retries until its service stops. */
    public static final Backoff INFRASTRUCTURE = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff from " + initial + " to " + max);
        }
    }

    /** A fresh sequence of delays: {@code initial}, twice that, and so on up to {@code max}. */
    public Delays delays() {
        return new Delays();
    }

    /**
     * Runs {@code step} until it returns, sleeping the next delay after each failure and logging it
     * on {@code log} as "could not {@code what}"; once {@code running} says the service is stopping,
     * a failure ends the loop with {@link InterruptedException}, as does an interrupt.
     */
    public <T> T untilDone(String what, Callable<T> step, BooleanSupplier running, Logger log)
            throws InterruptedException {
        Delays delays = delays();
        while (true) {
            try {
                return step.call();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (!running.getAsBoolean()) {
                    throw new InterruptedException("stopping; gave up trying to " + what);
                }
                Duration delay = delays.next();
                log.warn("could not {} ({}); retrying in {} ms", what, e, delay.toMillis());
                Thread.sleep(delay);
            }
        }
    }

    /** The delays of one retried step, in order; not thread-safe. */
    public final class Delays {
        private Duration next = initial;

        private Delays() {}

        /** The delay before the next try; each call doubles the one after, up to {@code max}. */
        public Duration next() {
            Duration current = next;
            next = current.multipliedBy(2).compareTo(max) > 0 ? max : current.multipliedBy(2);
            return current;
        }
    }
}
