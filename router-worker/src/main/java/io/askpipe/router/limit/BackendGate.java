package io.askpipe.router.limit;

import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.ErrorType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the asks of one worker wait for leave to call one backend: in its {@link FairQueue}, whose
 * head alone asks the shared limits (a pause, the concurrency slots, the requests and then the
 * tokens per minute, of the backend and of the call's model) and sleeps for as long as they say,
 * capped and jittered, until all grant the call. Thread-safe.
 */
final class BackendGate {
    private static final Logger LOG = LoggerFactory.getLogger(BackendGate.class);
    /** The longest the head sleeps before it asks again: a freed slot elsewhere is seen this soon. */
    static final Duration MAX_SLEEP = Duration.ofSeconds(1);
    /** How soon the head asks again for a concurrency slot another worker holds. */
    static final Duration SLOT_POLL = Duration.ofMillis(50);
    /** How long the head waits before asking again when the database failed. */
    static final Duration FAULT_WAIT = Duration.ofSeconds(1);
    /** The pause a 429 without {@code Retry-After} asks for. */
    static final Duration DEFAULT_PAUSE = Duration.ofSeconds(1);

    private final String backend;
    private final LimitSettings settings;
    private final SharedBuckets buckets;
    private final ConcurrencySlots slots;
    private final BackendPauses pauses;
    private final LimitMetrics metrics;
    private final Clock clock;
    private final FairQueue queue = new FairQueue();
    private final AtomicInteger inUse = new AtomicInteger();

    BackendGate(
            String backend,
            LimitSettings settings,
            SharedBuckets buckets,
            ConcurrencySlots slots,
            BackendPauses pauses,
            LimitMetrics metrics,
            Clock clock) {
        this.backend = backend;
        this.settings = settings;
        this.buckets = buckets;
        this.slots = slots;
        this.pauses = pauses;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauges(backend, queue::size, inUse::get);
    }

    /** A grant of the limits, or how long to wait before asking again. */
    private sealed interface Take {
        record Granted(
                List<ConcurrencySlots.Slot> slots,
                List<SharedBuckets.Bucket> requestBuckets,
                List<SharedBuckets.Bucket> tokenBuckets)
                implements Take {}

        record Wait(long nanos) implements Take {}
    }

    /** Bucket and slot names of one limited scope: the backend, or the backend and a model. */
    private record Scope(String name, Limits limits) {}

    /**
     * Waits in turn until the limits grant {@code call}. Empty when {@code untilNanos} ({@link
     * System#nanoTime()}; empty: no limit) comes first: nothing was taken.
     */
    Optional<Permit> acquire(BackendCall call, Waiter waiter, Optional<Long> untilNanos) throws InterruptedException {
        long started = System.nanoTime();
        List<Scope> scopes = scopes(call);
        // the estimate serializes the messages: only a tokens-per-minute limit needs it
        TokenEstimate estimate =
                scopes.stream().anyMatch(scope -> scope.limits().tpm() > 0)
                        ? TokenEstimate.of(call)
                        : new TokenEstimate(0, 0);
        if (scopes.isEmpty() && paused().isZero()) {
            // nothing to wait for: no wait to count
            return Optional.of(granted(new Take.Granted(List.of(), List.of(), List.of()), estimate, System.nanoTime()));
        }
        FairQueue.Ticket ticket = queue.enter(waiter.priority(), waiter.user());
        try {
            while (queue.awaitHead(ticket, untilNanos)) {
                Take take = take(scopes, estimate);
                if (take instanceof Take.Granted grant) {
                    queue.granted(ticket);
                    return Optional.of(granted(grant, estimate, started));
                }
                long nanos = ((Take.Wait) take).nanos();
                if (!queue.sleep(jittered(Math.min(nanos, MAX_SLEEP.toNanos())), untilNanos)) {
                    break;
                }
            }
            metrics.waited(backend, Duration.ofNanos(System.nanoTime() - started));
            return Optional.empty();
        } finally {
            queue.leave(ticket);
        }
    }

    private Permit granted(Take.Granted grant, TokenEstimate estimate, long started) {
        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        metrics.waited(backend, waited);
        inUse.incrementAndGet();
        return new Permit(
                Optional.of(this), grant.slots(), grant.requestBuckets(), grant.tokenBuckets(), estimate, waited);
    }

    private List<Scope> scopes(BackendCall call) {
        List<Scope> scopes = new ArrayList<>(2);
        Limits own = settings.backend(backend);
        if (!own.none()) {
            scopes.add(new Scope(backend, own));
        }
        settings.model(backend, call.model())
                .ifPresent(limits -> scopes.add(new Scope(backend + "/" + call.model(), limits)));
        return scopes;
    }

    /**
     * Asks every limit in turn; what one refuses, the ones before it get back.
     *
     * @throws InterruptedException when the ask's thread is interrupted while it waits for a slot:
     *     nothing is kept
     */
    private Take take(List<Scope> scopes, TokenEstimate estimate) throws InterruptedException {
        List<ConcurrencySlots.Slot> held = new ArrayList<>();
        List<SharedBuckets.Bucket> takenRequests = new ArrayList<>();
        List<SharedBuckets.Bucket> takenTokens = new ArrayList<>();
        boolean granted = false;
        try {
            Duration pause = paused();
            if (!pause.isZero()) {
                return new Take.Wait(pause.toNanos());
            }
            for (Scope scope : scopes) {
                if (scope.limits().maxConcurrency() > 0) {
                    Optional<ConcurrencySlots.Slot> slot =
                            slots.tryTake(scope.name(), scope.limits().maxConcurrency());
                    if (slot.isEmpty()) {
                        return new Take.Wait(SLOT_POLL.toNanos());
                    }
                    held.add(slot.get());
                }
            }
            for (Scope scope : scopes) {
                if (scope.limits().rpm() > 0) {
                    SharedBuckets.Bucket requests =
                            buckets.bucket(scope.name() + ":rpm", scope.limits().rpm());
                    long wait = requests.tryTake(1);
                    if (wait > 0) {
                        return new Take.Wait(wait);
                    }
                    takenRequests.add(requests);
                }
            }
            for (Scope scope : scopes) {
                if (scope.limits().tpm() > 0) {
                    SharedBuckets.Bucket tokens =
                            buckets.bucket(scope.name() + ":tpm", scope.limits().tpm());
                    long wait = tokens.tryTake(estimate.total());
                    if (wait > 0) {
                        return new Take.Wait(wait);
                    }
                    takenTokens.add(tokens);
                }
            }
            granted = true;
            return new Take.Granted(held, takenRequests, takenTokens);
        } catch (RuntimeException e) {
            // the limits cannot be asked: the call waits rather than going over them
            LOG.warn(
                    "could not ask the limits of backend {}; asking again in {}: {}",
                    backend,
                    FAULT_WAIT,
                    e.toString());
            return new Take.Wait(FAULT_WAIT.toNanos());
        } finally {
            if (!granted) {
                giveBack(held, takenRequests, takenTokens, estimate);
            }
        }
    }

    /** Gives back what a grant took: its requests and tokens, and its slots. */
    void giveBack(
            List<ConcurrencySlots.Slot> held,
            List<SharedBuckets.Bucket> requests,
            List<SharedBuckets.Bucket> tokens,
            TokenEstimate estimate) {
        try {
            requests.forEach(bucket -> bucket.adjust(-1));
            tokens.forEach(bucket -> bucket.adjust(-estimate.total()));
        } catch (RuntimeException e) {
            LOG.warn("could not give tokens back to the limits of backend {}: {}", backend, e.toString());
        }
        held.forEach(slots::release);
    }

    /** How long the backend is still paused; zero when the pauses cannot be read (they are advice). */
    private Duration paused() {
        try {
            return pauses.left(backend);
        } catch (RuntimeException e) {
            LOG.warn("could not read the pause of backend {}: {}", backend, e.toString());
            return Duration.ZERO;
        }
    }

    /** Settles a granted call: the tokens it cost beyond (or short of) the estimate, and a provider's pushback. */
    void settle(List<SharedBuckets.Bucket> tokenBuckets, long tokens, BackendOutcome outcome) {
        try {
            tokenBuckets.forEach(bucket -> bucket.adjust(tokens));
        } catch (RuntimeException e) {
            LOG.warn("could not settle the tokens of a call to backend {}: {}", backend, e.toString());
        }
        if (outcome instanceof BackendOutcome.Failed failed && pushback(failed)) {
            Duration pause = failed.retryAfterHint().orElse(DEFAULT_PAUSE);
            try {
                pauses.pause(backend, clock.instant().plus(pause));
                metrics.paused(backend);
                LOG.warn("backend {} pushed back; every worker pauses its calls for {}", backend, pause);
            } catch (RuntimeException e) {
                LOG.warn("could not pause backend {} for every worker: {}", backend, e.toString());
            }
            queue.wake();
        }
    }

    /** A 429, or another failure that says when to come back (a 529 or 503 with {@code Retry-After}). */
    private static boolean pushback(BackendOutcome.Failed failed) {
        return failed.errorType() == ErrorType.RATE_LIMITED
                || failed.retryAfterHint().isPresent();
    }

    /** Gives a call's slots back, and wakes the head waiting for one. */
    void release(List<ConcurrencySlots.Slot> held) {
        inUse.decrementAndGet();
        held.forEach(slots::release);
        if (!held.isEmpty()) {
            queue.wake();
        }
    }

    /** Ends every wait at this gate: the worker stopped, and its asks go to the next owner. */
    void close() {
        queue.close();
    }

    private static long jittered(long nanos) {
        // up to a tenth more, so that the heads of several workers do not ask in lockstep
        return nanos + ThreadLocalRandom.current().nextLong(nanos / 10 + 1);
    }
}
