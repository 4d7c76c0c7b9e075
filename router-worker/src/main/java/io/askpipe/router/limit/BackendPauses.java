package io.askpipe.router.limit;

import static io.askpipe.router.db.Tables.BACKEND_PAUSES;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The moments until which backends are paused for every worker, because a provider answered 429
 * (or another failure with {@code Retry-After}), kept in {@code router.backend_pauses}. A worker
 * reads a backend's pause at most once per {@code refresh}, and knows its own pauses at once.
 * Thread-safe.
 */
final class BackendPauses {
    private final DSLContext db;
    private final Clock clock;
    private final Duration refresh;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** A backend's pause as last read, and when it was read ({@link System#nanoTime()}). */
    private record Known(Instant until, long readNanos) {}

    BackendPauses(DSLContext db, Clock clock, Duration refresh) {
        this.db = db;
        this.clock = clock;
        this.refresh = refresh;
    }

    /** Pauses {@code backend} until {@code until} for every worker, unless it is paused longer already. */
    void pause(String backend, Instant until) {
        OffsetDateTime at = until.atOffset(ZoneOffset.UTC);
        db.insertInto(BACKEND_PAUSES)
                .set(BACKEND_PAUSES.BACKEND, backend)
                .set(BACKEND_PAUSES.PAUSED_UNTIL, at)
                .onConflict(BACKEND_PAUSES.BACKEND)
                .doUpdate()
                .set(
                        BACKEND_PAUSES.PAUSED_UNTIL,
                        DSL.greatest(BACKEND_PAUSES.PAUSED_UNTIL, DSL.excluded(BACKEND_PAUSES.PAUSED_UNTIL)))
                .execute();
        known.merge(
                backend,
                new Known(until, System.nanoTime()),
                (old, now) -> old.until().isAfter(now.until()) ? new Known(old.until(), now.readNanos()) : now);
    }

    /** How long {@code backend} is still paused: zero when it is not. */
    Duration left(String backend) {
        long now = System.nanoTime();
        Known last = known.get(backend);
        if (last == null || now - last.readNanos() >= refresh.toNanos()) {
            Instant until = db.select(BACKEND_PAUSES.PAUSED_UNTIL)
                    .from(BACKEND_PAUSES)
                    .where(BACKEND_PAUSES.BACKEND.eq(backend))
                    .fetchOptional(BACKEND_PAUSES.PAUSED_UNTIL)
                    .map(OffsetDateTime::toInstant)
                    .orElse(Instant.EPOCH);
            last = new Known(until, now);
            known.put(backend, last);
        }
        Duration left = Duration.between(clock.instant(), last.until());
        return left.isNegative() ? Duration.ZERO : left;
    }
}
