package io.askpipe.router.limit;

import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.Jooq;
import io.askpipe.router.backend.BackendCall;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The provider limits of one worker, shared with every other worker through PostgreSQL: before each
 * backend call, the ask waits here for its {@link Permit} ({@link #acquire}), in a fair order per
 * backend, for as long as the backend's and the model's limits and pauses say. An ask is never
 * failed for a limit of askpipe's own: it waits, bounded only by its own deadline, and can be
 * interrupted. Thread-safe.
 */
public final class ProviderLimits implements AutoCloseable {
    private final Optional<Shared> shared;
    private final Map<String, BackendGate> gates = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** What the gates share: the settings, the tables, the meters. */
    private record Shared(
            LimitSettings settings,
            SharedBuckets buckets,
            ConcurrencySlots slots,
            BackendPauses pauses,
            LimitMetrics metrics,
            Clock clock) {}

    private ProviderLimits(Optional<Shared> shared) {
        this.shared = shared;
    }

    /** No limits and no pauses: every call goes at once (tests of other parts). */
    public static ProviderLimits none() {
        return new ProviderLimits(Optional.empty());
    }

    /**
     * The limits of {@code settings}, kept in the router's tables of {@code dataSource}; concurrency
     * slots on a connection of their own to {@code database}.
     */
    public static ProviderLimits start(
            LimitSettings settings,
            DataSource dataSource,
            DatabaseSettings database,
            MeterRegistry registry,
            Clock clock) {
        return new ProviderLimits(Optional.of(new Shared(
                settings,
                new SharedBuckets(dataSource),
                new ConcurrencySlots(database),
                new BackendPauses(Jooq.using(dataSource), clock, settings.pauseRefresh()),
                new LimitMetrics(registry),
                clock)));
    }

    /**
     * Waits until {@code backend} may be called with {@code call} by {@code waiter}. Empty when
     * {@code untilNanos} ({@link System#nanoTime()}; empty: no bound) came first: nothing was taken,
     * and the call is not to be made.
     *
     * @throws InterruptedException when the ask's thread is interrupted while it waits
     */
    public Optional<Permit> acquire(String backend, BackendCall call, Waiter waiter, Optional<Long> untilNanos)
            throws InterruptedException {
        if (shared.isEmpty()) {
            return Optional.of(Permit.free());
        }
        Shared s = shared.get();
        BackendGate gate = gates.computeIfAbsent(backend, name -> {
            BackendGate created =
                    new BackendGate(name, s.settings(), s.buckets(), s.slots(), s.pauses(), s.metrics(), s.clock());
            if (closed) {
                created.close(); // the worker is stopping: no wait starts here
            }
            return created;
        });
        return gate.acquire(call, waiter, untilNanos);
    }

    /**
     * Ends the waits of every ask waiting now or later with an {@link InterruptedException}: the
     * worker is stopping, and its waiting asks go back uncommitted to the next owner of their
     * partitions at once, instead of holding the stop for its grace. Calls already running go on.
     */
    public void endWaits() {
        closed = true;
        gates.values().forEach(BackendGate::close);
    }

    /** Ends every wait ({@link #endWaits()}) and gives back the concurrency slots this worker holds. */
    @Override
    public void close() {
        endWaits();
        shared.ifPresent(s -> {
            s.slots().close();
            s.metrics().close();
        });
    }
}
