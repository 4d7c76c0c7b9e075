package io.askpipe.ingest.batch.store;

import static io.askpipe.ingest.db.Tables.BATCHES;
import static io.askpipe.ingest.db.Tables.BATCH_LINES;

import io.askpipe.ingest.db.tables.records.BatchLinesRecord;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep4;
import org.jooq.InsertValuesStep6;

/**
 * The lines of batches in schema {@code ingest}: each line's ask (its request id, fixed by the
 * first insert of its row), its outcome once settled, and what settling lines does to its batch's
 * counts. A statement that settles lines locks their batch's row first, as the settlement's does
 * ({@link Settlements}), so the two never wait on each other in opposite orders. Thread-safe.
 */
public final class BatchLines {
    /** Lines read per round trip when a batch's lines are streamed. */
    private static final int FETCH_SIZE = 500;

    /** A line to store: its place in the input file, its {@code custom_id} and a fresh request id. */
    public record NewLine(int line, String customId, String requestId) {
        public NewLine {
            Objects.requireNonNull(customId, "customId");
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /**
     * A stored line.
     *
     * @param line its place in the input file, from 1
     * @param customId its {@code custom_id}
     * @param requestId the request id of its ask
     * @param outcome how it ended; empty while it waits
     * @param result its ask's result as published to {@code ask.results}, as JSON; empty if it
     *     ended without one (settled by its batch's expiry or cancel)
     */
    public record Line(
            int line, String customId, String requestId, Optional<LineOutcome> outcome, Optional<String> result) {}

    private final DSLContext db;

    public BatchLines(DSLContext db) {
        this.db = db;
    }

    /**
     * Stores {@code lines} of batch {@code batchId}, keeping a line's row where it exists already
     * (a chunk redone after a crash), and returns the stored rows of the same lines in line order:
     * a redone line keeps the request id of its first insert.
     */
    public List<Line> store(String batchId, List<NewLine> lines) {
        if (lines.isEmpty()) {
            return List.of();
        }
        InsertValuesStep4<BatchLinesRecord, String, Integer, String, String> insert = db.insertInto(
                BATCH_LINES, BATCH_LINES.BATCH_ID, BATCH_LINES.LINE, BATCH_LINES.CUSTOM_ID, BATCH_LINES.REQUEST_ID);
        for (NewLine line : lines) {
            insert = insert.values(batchId, line.line(), line.customId(), line.requestId());
        }
        insert.onConflict(BATCH_LINES.BATCH_ID, BATCH_LINES.LINE).doNothing().execute();
        return db.selectFrom(BATCH_LINES)
                .where(BATCH_LINES
                        .BATCH_ID
                        .eq(batchId)
                        .and(BATCH_LINES.LINE.in(
                                lines.stream().map(NewLine::line).toList())))
                .orderBy(BATCH_LINES.LINE)
                .fetch(BatchLines::line);
    }

    /**
     * Stores {@code lines} of batch {@code batchId} already settled as {@code outcome} at {@code
     * now}, without asks (lines its expiry or cancel came before), counts them failed, and moves
     * the batch's checkpoint past them to {@code checkpointLines} and {@code checkpointBytes}, all
     * in one transaction of {@code owner}'s lease (none of it if the lease is no longer theirs). A
     * line whose row exists already keeps it. Returns how many it settled.
     */
    public int settleUnqueued(
            String batchId,
            String owner,
            List<NewLine> lines,
            LineOutcome outcome,
            Instant now,
            long checkpointLines,
            long checkpointBytes) {
        return db.transactionResult(tx -> {
            DSLContext c = tx.dsl();
            lockBatch(c, batchId);
            int settled = 0;
            if (!lines.isEmpty()) {
                InsertValuesStep6<BatchLinesRecord, String, Integer, String, String, String, java.time.OffsetDateTime>
                        insert = c.insertInto(
                                BATCH_LINES,
                                BATCH_LINES.BATCH_ID,
                                BATCH_LINES.LINE,
                                BATCH_LINES.CUSTOM_ID,
                                BATCH_LINES.REQUEST_ID,
                                BATCH_LINES.OUTCOME,
                                BATCH_LINES.SETTLED_AT);
                for (NewLine line : lines) {
                    insert = insert.values(
                            batchId,
                            line.line(),
                            line.customId(),
                            line.requestId(),
                            outcome.wireName(),
                            BatchRows.at(now));
                }
                settled = insert.onConflict(BATCH_LINES.BATCH_ID, BATCH_LINES.LINE)
                        .doNothing()
                        .execute();
            }
            int moved = c.update(BATCHES)
                    .set(BATCHES.FAILED, BATCHES.FAILED.plus(settled))
                    .set(BATCHES.EXPANDED_LINES, checkpointLines)
                    .set(BATCHES.EXPANDED_BYTES, checkpointBytes)
                    .where(BATCHES.ID.eq(batchId).and(BATCHES.LEASE_OWNER.eq(owner)))
                    .execute();
            if (moved == 0) {
                // rolled back: the lines and the counts go together or not at all
                throw new IllegalStateException("the lease of batch " + batchId + " is no longer " + owner + "'s");
            }
            return settled;
        });
    }

    /** Moves batch {@code batchId}'s checkpoint to {@code lines} and {@code bytes}, under {@code owner}'s lease. */
    public boolean advance(String batchId, String owner, long lines, long bytes) {
        return db.update(BATCHES)
                        .set(BATCHES.EXPANDED_LINES, lines)
                        .set(BATCHES.EXPANDED_BYTES, bytes)
                        .where(BATCHES.ID.eq(batchId).and(BATCHES.LEASE_OWNER.eq(owner)))
                        .execute()
                == 1;
    }

    /** Up to {@code limit} of batch {@code batchId}'s lines still waiting, after line {@code after}, in line order. */
    public List<Line> waiting(String batchId, int after, int limit) {
        return db.selectFrom(BATCH_LINES)
                .where(BATCH_LINES
                        .BATCH_ID
                        .eq(batchId)
                        .and(BATCH_LINES.OUTCOME.isNull())
                        .and(BATCH_LINES.LINE.gt(after)))
                .orderBy(BATCH_LINES.LINE)
                .limit(limit)
                .fetch(BatchLines::line);
    }

    /**
     * Settles every line of batch {@code batchId} still waiting as {@code outcome} at {@code now},
     * without a result, and counts them failed; returns how many it settled.
     */
    public int settleWaiting(String batchId, LineOutcome outcome, Instant now) {
        return db.transactionResult(tx -> {
            DSLContext c = tx.dsl();
            lockBatch(c, batchId);
            int settled = c.update(BATCH_LINES)
                    .set(BATCH_LINES.OUTCOME, outcome.wireName())
                    .set(BATCH_LINES.SETTLED_AT, BatchRows.at(now))
                    .where(BATCH_LINES.BATCH_ID.eq(batchId).and(BATCH_LINES.OUTCOME.isNull()))
                    .execute();
            c.update(BATCHES)
                    .set(BATCHES.FAILED, BATCHES.FAILED.plus(settled))
                    .where(BATCHES.ID.eq(batchId))
                    .execute();
            return settled;
        });
    }

    /**
     * Gives {@code each} every line of batch {@code batchId} in line order, read from the database
     * a few hundred at a time: a batch's lines are never held in memory all at once.
     */
    public void forEach(String batchId, Consumer<Line> each) {
        db.transaction(tx -> {
            try (Cursor<BatchLinesRecord> cursor = tx.dsl()
                    .selectFrom(BATCH_LINES)
                    .where(BATCH_LINES.BATCH_ID.eq(batchId))
                    .orderBy(BATCH_LINES.LINE)
                    .fetchSize(FETCH_SIZE)
                    .fetchLazy()) {
                for (BatchLinesRecord row : cursor) {
                    each.accept(line(row));
                }
            }
        });
    }

    /** Whether any line of batch {@code batchId} ended {@code outcome}. */
    public boolean any(String batchId, LineOutcome outcome) {
        return db.fetchExists(
                BATCH_LINES, BATCH_LINES.BATCH_ID.eq(batchId).and(BATCH_LINES.OUTCOME.eq(outcome.wireName())));
    }

    /** Deletes up to {@code limit} of batch {@code batchId}'s lines; returns how many it deleted. */
    public int delete(String batchId, int limit) {
        return db.deleteFrom(BATCH_LINES)
                .where(BATCH_LINES
                        .BATCH_ID
                        .eq(batchId)
                        .and(BATCH_LINES.LINE.in(db.select(BATCH_LINES.LINE)
                                .from(BATCH_LINES)
                                .where(BATCH_LINES.BATCH_ID.eq(batchId))
                                .limit(limit))))
                .execute();
    }

    private static void lockBatch(DSLContext c, String batchId) {
        c.select(BATCHES.ID)
                .from(BATCHES)
                .where(BATCHES.ID.eq(batchId))
                .forUpdate()
                .execute();
    }

    private static Line line(BatchLinesRecord row) {
        return new Line(
                row.getLine(),
                row.getCustomId(),
                row.getRequestId(),
                Optional.ofNullable(row.getOutcome()).map(LineOutcome::fromWire),
                Optional.ofNullable(row.getResult()));
    }
}
