package io.askpipe.ingest.batch.store;

import static io.askpipe.ingest.db.Tables.BATCHES;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * The batches' rows in schema {@code ingest}: a new batch, its owner's reads and cancel, the
 * runners' leases, and each move of a batch from one status to the next. Every move is conditional
 * on the status it leaves, so that a runner and a cancel racing each other leave one outcome; a
 * runner's moves also on its lease. Thread-safe.
 */
public final class PostgresBatches {
    private static final List<String> OPEN = List.of(
            BatchStatus.VALIDATING.wireName(),
            BatchStatus.IN_PROGRESS.wireName(),
            BatchStatus.FINALIZING.wireName(),
            BatchStatus.CANCELLING.wireName());

    private final DSLContext db;

    public PostgresBatches(DSLContext db) {
        this.db = db;
    }

    /** Stores the new batch {@code batch}. */
    public void insert(Batch batch) {
        db.executeInsert(BatchRows.record(db, batch));
    }

    /** The batch {@code id} if it is {@code userId}'s. */
    public Optional<Batch> find(String userId, String id) {
        return db.selectFrom(BATCHES)
                .where(BATCHES.ID.eq(id).and(BATCHES.USER_ID.eq(userId)))
                .fetchOptional()
                .map(BatchRows::batch);
    }

    /** The batch {@code id}, whoever's it is. */
    public Optional<Batch> find(String id) {
        return db.selectFrom(BATCHES).where(BATCHES.ID.eq(id)).fetchOptional().map(BatchRows::batch);
    }

    /**
     * Up to {@code limit} of {@code userId}'s batches, newest first, those older than {@code after}
     * only when it is given; one more than asked tells the caller there are more.
     */
    public List<Batch> list(String userId, Optional<String> after, int limit) {
        Condition older = after.map(BATCHES.ID::lt).orElse(DSL.noCondition());
        return db.selectFrom(BATCHES)
                .where(BATCHES.USER_ID.eq(userId).and(older))
                .orderBy(BATCHES.ID.desc())
                .limit(limit)
                .fetch(BatchRows::batch);
    }

    /**
     * Cancels {@code userId}'s batch {@code id} at {@code now} if it is still validating (then it is
     * {@code cancelled} at once, its event fixed as {@code eventId} when it has a callback) or in
     * progress (then {@code cancelling}, for its runner to end); returns the batch as it is after.
     */
    public Optional<Batch> cancel(String userId, String id, Instant now, String eventId) {
        Field<String> validating = DSL.inline(BatchStatus.VALIDATING.wireName());
        db.update(BATCHES)
                .set(
                        BATCHES.STATUS,
                        DSL.when(BATCHES.STATUS.eq(validating), BatchStatus.CANCELLED.wireName())
                                .otherwise(BatchStatus.CANCELLING.wireName()))
                .set(BATCHES.CANCELLING_AT, BatchRows.at(now))
                .set(
                        BATCHES.CANCELLED_AT,
                        DSL.when(BATCHES.STATUS.eq(validating), BatchRows.at(now))
                                .otherwise(DSL.inline(null, BATCHES.CANCELLED_AT)))
                .set(
                        BATCHES.EVENT_ID,
                        DSL.when(BATCHES.STATUS.eq(validating).and(BATCHES.CALLBACK_URL.isNotNull()), eventId)
                                .otherwise(DSL.inline(null, BATCHES.EVENT_ID)))
                .where(BATCHES.ID
                        .eq(id)
                        .and(BATCHES.USER_ID.eq(userId))
                        .and(BATCHES.STATUS.in(BatchStatus.VALIDATING.wireName(), BatchStatus.IN_PROGRESS.wireName())))
                .execute();
        return find(userId, id);
    }

    /**
     * Leases, for {@code owner} until {@code until}, the batch with work left that waited longest,
     * if one is free: one validating or finalizing, one in progress or cancelling with lines left to
     * queue, with every line settled, with cancels to send, or whose window ended at {@code
     * windowEnded} or before (its grace past), or a terminal one whose event is not yet published.
     */
    public Optional<Batch> lease(Instant now, Instant windowEnded, String owner, Instant until) {
        Condition open =
                BATCHES.STATUS.in(OPEN).or(BATCHES.EVENT_ID.isNotNull().and(BATCHES.EVENT_PUBLISHED_AT.isNull()));
        Condition work = BATCHES.STATUS
                .in(BatchStatus.VALIDATING.wireName(), BatchStatus.FINALIZING.wireName())
                .or(BATCHES.STATUS
                        .in(BatchStatus.IN_PROGRESS.wireName(), BatchStatus.CANCELLING.wireName())
                        .and(BATCHES.EXPANDED_BYTES
                                .lt(BATCHES.INPUT_BYTES)
                                .or(BATCHES.COMPLETED.plus(BATCHES.FAILED).ge(BATCHES.TOTAL))
                                .or(BATCHES.EXPIRES_AT.le(BatchRows.at(windowEnded)))
                                .or(BATCHES.STATUS
                                        .eq(BatchStatus.CANCELLING.wireName())
                                        .and(BATCHES.CANCELS_SENT_AT.isNull()))))
                .or(BATCHES.EVENT_ID.isNotNull().and(BATCHES.EVENT_PUBLISHED_AT.isNull()));
        Condition free = BATCHES.LEASED_UNTIL.isNull().or(BATCHES.LEASED_UNTIL.lt(BatchRows.at(now)));
        var next = db.select(BATCHES.ID)
                .from(BATCHES)
                .where(open.and(work).and(free))
                .orderBy(BATCHES.LEASED_UNTIL.asc().nullsFirst(), BATCHES.ID)
                .limit(1)
                .forUpdate()
                .skipLocked();
        return db.update(BATCHES)
                .set(BATCHES.LEASE_OWNER, owner)
                .set(BATCHES.LEASED_UNTIL, BatchRows.at(until))
                .where(BATCHES.ID.eq(next))
                .returning()
                .fetchOptional()
                .map(BatchRows::batch);
    }

    /** Moves {@code owner}'s lease of batch {@code id} to end at {@code until}; false if it is no longer theirs. */
    public boolean renew(String id, String owner, Instant until) {
        return db.update(BATCHES)
                        .set(BATCHES.LEASED_UNTIL, BatchRows.at(until))
                        .where(BATCHES.ID.eq(id).and(BATCHES.LEASE_OWNER.eq(owner)))
                        .execute()
                == 1;
    }

    /** Fails the validating batch {@code id} at {@code now} for {@code errors}, its event fixed as {@code eventId}. */
    public boolean failed(String id, String owner, List<BatchError> errors, Instant now, String eventId) {
        return db.update(BATCHES)
                        .set(BATCHES.STATUS, BatchStatus.FAILED.wireName())
                        .set(BATCHES.FAILED_AT, BatchRows.at(now))
                        .set(BATCHES.ERRORS, BatchRows.errors(errors))
                        .set(BATCHES.EVENT_ID, eventOf(eventId))
                        .where(leased(id, owner).and(BATCHES.STATUS.eq(BatchStatus.VALIDATING.wireName())))
                        .execute()
                == 1;
    }

    /** Starts the validated batch {@code id} at {@code now} with {@code total} lines in {@code inputBytes} bytes. */
    public boolean inProgress(String id, String owner, long total, long inputBytes, Instant now) {
        return db.update(BATCHES)
                        .set(BATCHES.STATUS, BatchStatus.IN_PROGRESS.wireName())
                        .set(BATCHES.IN_PROGRESS_AT, BatchRows.at(now))
                        .set(BATCHES.TOTAL, Math.toIntExact(total))
                        .set(BATCHES.INPUT_BYTES, inputBytes)
                        .where(leased(id, owner).and(BATCHES.STATUS.eq(BatchStatus.VALIDATING.wireName())))
                        .execute()
                == 1;
    }

    /**
     * Ends the expansion of batch {@code id} whose input file is gone before all its lines were
     * queued: its total becomes the lines it has, and {@code error} says why.
     */
    public boolean inputLost(String id, String owner, BatchError error) {
        return db.update(BATCHES)
                        .set(
                                BATCHES.TOTAL,
                                DSL.field(
                                        "(SELECT count(*)::integer FROM batch_lines WHERE batch_id = {0})",
                                        Integer.class, DSL.val(id)))
                        .set(BATCHES.EXPANDED_BYTES, BATCHES.INPUT_BYTES)
                        .set(BATCHES.ERRORS, BatchRows.errors(List.of(error)))
                        .where(leased(id, owner))
                        .execute()
                == 1;
    }

    /** Notes that the cancels of batch {@code id}'s lines were published at {@code now}. */
    public void cancelsSent(String id, String owner, Instant now) {
        db.update(BATCHES)
                .set(BATCHES.CANCELS_SENT_AT, BatchRows.at(now))
                .where(leased(id, owner))
                .execute();
    }

    /** Moves the in-progress batch {@code id} to finalizing at {@code now}. */
    public boolean finalizing(String id, String owner, Instant now) {
        return db.update(BATCHES)
                        .set(BATCHES.STATUS, BatchStatus.FINALIZING.wireName())
                        .set(BATCHES.FINALIZING_AT, BatchRows.at(now))
                        .where(leased(id, owner).and(BATCHES.STATUS.eq(BatchStatus.IN_PROGRESS.wireName())))
                        .execute()
                == 1;
    }

    /**
     * Ends batch {@code id}, now {@code from}, as {@code to} at {@code now} with its output and error
     * files (empty when there is none), its event fixed as {@code eventId} when it has a callback.
     */
    public boolean finish(
            String id,
            String owner,
            BatchStatus from,
            BatchStatus to,
            Instant now,
            Optional<String> outputFileId,
            Optional<String> errorFileId,
            String eventId) {
        if (!to.terminal()) {
            throw new IllegalArgumentException(to + " is not terminal");
        }
        return db.update(BATCHES)
                        .set(BATCHES.STATUS, to.wireName())
                        .set(BatchRows.moment(to), BatchRows.at(now))
                        .set(BATCHES.OUTPUT_FILE_ID, outputFileId.orElse(null))
                        .set(BATCHES.ERROR_FILE_ID, errorFileId.orElse(null))
                        .set(BATCHES.EVENT_ID, eventOf(eventId))
                        .where(leased(id, owner).and(BATCHES.STATUS.eq(from.wireName())))
                        .execute()
                == 1;
    }

    /** Notes that batch {@code id}'s event was acknowledged at {@code now}. */
    public void eventPublished(String id, Instant now) {
        db.update(BATCHES)
                .set(BATCHES.EVENT_PUBLISHED_AT, BatchRows.at(now))
                .where(BATCHES.ID.eq(id))
                .execute();
    }

    /**
     * Up to {@code limit} batches that ended and whose output files' time ran out before {@code
     * now}: what retention deletes.
     */
    public List<String> pastRetention(Instant now, int limit) {
        Field<OffsetDateTime> ended =
                DSL.coalesce(BATCHES.COMPLETED_AT, BATCHES.FAILED_AT, BATCHES.EXPIRED_AT, BATCHES.CANCELLED_AT);
        return db.select(BATCHES.ID)
                .from(BATCHES)
                .where(ended.isNotNull()
                        .and(DSL.condition(
                                "{0} + {1} * interval '1 second' < {2}",
                                ended, BATCHES.OUTPUT_EXPIRES_AFTER, DSL.val(BatchRows.at(now)))))
                .limit(limit)
                .fetch(BATCHES.ID);
    }

    /** Deletes batch {@code id}'s row (its lines first: {@link BatchLines#delete}). */
    public void delete(String id) {
        db.deleteFrom(BATCHES).where(BATCHES.ID.eq(id)).execute();
    }

    private static Condition leased(String id, String owner) {
        return BATCHES.ID.eq(id).and(BATCHES.LEASE_OWNER.eq(owner));
    }

    /** The event id to fix: {@code eventId} for a batch with a callback, none otherwise. */
    private static Field<String> eventOf(String eventId) {
        return DSL.when(BATCHES.CALLBACK_URL.isNotNull(), DSL.val(eventId))
                .otherwise(DSL.inline(null, BATCHES.EVENT_ID));
    }
}
