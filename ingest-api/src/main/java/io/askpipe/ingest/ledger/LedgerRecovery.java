package io.askpipe.ingest.ledger;

import static io.askpipe.ingest.db.Tables.IDEMPOTENCY;
import static io.askpipe.ingest.ledger.PostgresAskLedger.ACCEPTED;
import static io.askpipe.ingest.ledger.PostgresAskLedger.ACCEPTING;
import static io.askpipe.ingest.ledger.PostgresAskLedger.read;
import static io.askpipe.ingest.ledger.PostgresAskLedger.utc;

import io.askpipe.ingest.db.tables.records.IdempotencyRecord;
import io.askpipe.ingest.ledger.AskLedger.Failure;
import io.askpipe.ingest.ledger.AskLedger.Recovered;
import io.askpipe.ingest.ledger.AskLedger.Recovery;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.schemas.AskRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * One round of the ledger's recovery: publishes the asks whose requests claimed them and never
 * published them, leasing them in a short statement and publishing with no transaction open.
 * Not thread-safe; each round makes its own.
 */
final class LedgerRecovery {
    /** Sets an entry aside as dead for a reason, if it still holds that ask. */
    @FunctionalInterface
    interface SetAside {
        Failure markDead(Condition scope, String requestId, String reason);
    }

    private final DSLContext db;
    private final SetAside setAsideFor;

    LedgerRecovery(DSLContext db, SetAside setAside) {
        this.db = db;
        this.setAsideFor = setAside;
    }

    /** A leased row and the ask it holds. */
    private record Leased(IdempotencyRecord row, AskRequest ask) {
        Condition scope() {
            return PostgresAskLedger.scope(row.getUserId(), row.getMethod(), row.getPath(), row.getIdempotencyKey());
        }
    }

    /** One round of {@link AskLedger#unpublished}. */
    AskLedger.Recovered round(Instant claimedBefore, int limit, Duration lease, AskLedger.Recovery recovery) {
        List<Failure> setAside = new ArrayList<>();
        List<Leased> readable = new ArrayList<>();
        for (IdempotencyRecord row : lease(claimedBefore, limit, lease)) {
            try {
                readable.add(new Leased(row, read(row.getAsk())));
            } catch (IllegalStateException e) {
                setAside.add(setAsideFor.markDead(
                        PostgresAskLedger.scope(
                                row.getUserId(), row.getMethod(), row.getPath(), row.getIdempotencyKey()),
                        row.getRequestId(),
                        "unreadable"));
            }
        }
        List<Future<Void>> outcomes = publish(readable, lease, recovery);
        List<Leased> published = new ArrayList<>();
        List<Failure> retryLater = new ArrayList<>();
        for (int i = 0; i < readable.size(); i++) {
            Leased leased = readable.get(i);
            try {
                outcomes.get(i).get();
                published.add(leased);
            } catch (CancellationException e) {
                retryLater.add(new Failure(leased.ask().requestId(), "no answer within the lease"));
            } catch (ExecutionException e) {
                Optional<String> permanent = AskPublisher.permanentFailure(e.getCause());
                if (permanent.isPresent()) {
                    setAside.add(
                            setAsideFor.markDead(leased.scope(), leased.ask().requestId(), permanent.get()));
                } else {
                    retryLater.add(
                            new Failure(leased.ask().requestId(), e.getCause().toString()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataAccessException("interrupted while recovering unpublished asks", e);
            }
        }
        markRecovered(published);
        return new Recovered(published.stream().map(Leased::ask).toList(), setAside, retryLater);
    }

    /**
     * Leases up to {@code limit} abandoned rows for {@code lease} in one statement, its own
     * transaction: rows another recoverer is leasing (locked now, or leased until later) are skipped.
     * The database's clock decides when a lease runs out.
     */
    private List<IdempotencyRecord> lease(Instant claimedBefore, int limit, Duration lease) {
        var abandoned = DSL.select(
                        IDEMPOTENCY.USER_ID, IDEMPOTENCY.METHOD, IDEMPOTENCY.PATH, IDEMPOTENCY.IDEMPOTENCY_KEY)
                .from(IDEMPOTENCY)
                .where(IDEMPOTENCY.STATE.eq(ACCEPTING))
                .and(IDEMPOTENCY.CREATED_AT.lt(utc(claimedBefore)))
                .and(IDEMPOTENCY.LEASED_UNTIL.isNull().or(IDEMPOTENCY.LEASED_UNTIL.lt(DSL.currentOffsetDateTime())))
                .orderBy(IDEMPOTENCY.CREATED_AT)
                .limit(limit)
                .forUpdate()
                .skipLocked();
        Field<OffsetDateTime> until = DSL.field(
                "current_timestamp + make_interval(secs => {0})",
                OffsetDateTime.class, DSL.val(lease.toMillis() / 1000.0));
        return db.update(IDEMPOTENCY)
                .set(IDEMPOTENCY.LEASED_UNTIL, until)
                .where(DSL.row(IDEMPOTENCY.USER_ID, IDEMPOTENCY.METHOD, IDEMPOTENCY.PATH, IDEMPOTENCY.IDEMPOTENCY_KEY)
                        .in(abandoned))
                .returning()
                .fetch();
    }

    /**
     * Publishes the leased asks side by side, with no transaction open; one that has not finished
     * when the lease runs out is cancelled (its outcome a {@link CancellationException}).
     */
    private static List<Future<Void>> publish(List<Leased> leased, Duration lease, Recovery recovery) {
        if (leased.isEmpty()) {
            return List.of();
        }
        List<Callable<Void>> publishes = new ArrayList<>();
        for (Leased l : leased) {
            publishes.add(() -> {
                recovery.publish(l.ask());
                return null;
            });
        }
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            return threads.invokeAll(publishes, lease.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataAccessException("interrupted while recovering unpublished asks", e);
        }
    }

    /** Marks the recovered asks accepted, with the answer their request would have had: one batch. */
    private void markRecovered(List<Leased> published) {
        if (published.isEmpty()) {
            return;
        }
        db.batch(published.stream()
                        .map(l -> db.update(IDEMPOTENCY)
                                .set(IDEMPOTENCY.STATE, ACCEPTED)
                                .set(IDEMPOTENCY.RESPONSE_STATUS, 202)
                                .set(IDEMPOTENCY.RESPONSE_BODY, AcceptedResponse.body(l.ask()))
                                .setNull(IDEMPOTENCY.LEASED_UNTIL)
                                .where(l.scope())
                                .and(IDEMPOTENCY.REQUEST_ID.eq(l.ask().requestId()))
                                .and(IDEMPOTENCY.STATE.eq(ACCEPTING)))
                        .toList())
                .execute();
    }
}
