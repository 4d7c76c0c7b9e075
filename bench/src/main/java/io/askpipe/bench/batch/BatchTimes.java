package io.askpipe.bench.batch;

import io.askpipe.drill.deploy.Target;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * An ended batch's moments by the database's clock, where the time between its create and its end
 * went: its own timestamps ({@code ingest.batches}), when the router answered its first and last
 * line and the result store wrote its last row ({@code store.asks}, the lines' asks by their
 * idempotency keys {@code <batch id>/<custom_id>}), and when ingest settled its last line ({@code
 * ingest.batch_lines}).
 *
 * @param lines the batch's lines ({@code request_counts.total})
 * @param succeeded its lines that succeeded
 * @param stored its lines' asks with a terminal row in the result store
 */
record BatchTimes(
        long lines,
        long succeeded,
        long stored,
        Instant createdAt,
        Instant inProgressAt,
        Instant firstAnsweredAt,
        Instant lastAnsweredAt,
        Instant lastStoredAt,
        Instant lastSettledAt,
        Instant finalizingAt,
        Instant endedAt) {
    private static final String TERMINAL = "('succeeded', 'failed', 'expired', 'cancelled')";

    /** From the create to the end. */
    Duration total() {
        return Duration.between(createdAt, endedAt);
    }

    /** Lines per second from the create to the end. */
    double linesPerSecond() {
        return lines / seconds(total());
    }

    /** Seconds from the create to {@code moment}. */
    double secondsAfterCreate(Instant moment) {
        return seconds(Duration.between(createdAt, moment));
    }

    static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /**
     * Waits until the result store has a terminal row for each of the {@code lines} lines of batch
     * {@code id}: a batch ends on ingest's reading of {@code ask.results}, which does not wait for
     * the store, so its rows may come later.
     */
    static void awaitStored(Target deployment, String id, long lines, Duration atMost)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        try (Connection db = deployment.database();
                PreparedStatement query = db.prepareStatement("SELECT count(*) FROM store.asks"
                        + " WHERE idempotency_key LIKE ? || '/%' AND status IN " + TERMINAL)) {
            query.setString(1, id);
            while (true) {
                long stored;
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    stored = row.getLong(1);
                }
                if (stored >= lines) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the result store has " + stored + " of the " + lines
                            + " rows of batch " + id + " after " + atMost);
                }
                Thread.sleep(200);
            }
        }
    }

    /** Reads the moments of the ended batch {@code id}. */
    static BatchTimes read(Target deployment, String id) throws SQLException {
        try (Connection db = deployment.database();
                PreparedStatement query = db.prepareStatement("SELECT b.total, b.completed,"
                        + " b.created_at, b.in_progress_at, b.finalizing_at,"
                        + " coalesce(b.completed_at, b.failed_at, b.expired_at, b.cancelled_at),"
                        + " (SELECT max(settled_at) FROM ingest.batch_lines WHERE batch_id = b.id),"
                        + " s.stored, s.first_answered, s.last_answered, s.last_stored"
                        + " FROM ingest.batches b, LATERAL (SELECT count(*) AS stored,"
                        + " min(completed_at) AS first_answered, max(completed_at) AS last_answered,"
                        + " max(updated_at) AS last_stored FROM store.asks"
                        + " WHERE idempotency_key LIKE b.id || '/%' AND status IN " + TERMINAL + ") s"
                        + " WHERE b.id = ?")) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("no batch " + id);
                }
                return new BatchTimes(
                        row.getLong(1),
                        row.getLong(2),
                        row.getLong(8),
                        instant(row, 3).orElseThrow(),
                        instant(row, 4).orElseThrow(),
                        instant(row, 9).orElseThrow(),
                        instant(row, 10).orElseThrow(),
                        instant(row, 11).orElseThrow(),
                        instant(row, 7).orElseThrow(),
                        instant(row, 5).orElseThrow(),
                        instant(row, 6).orElseThrow());
            }
        }
    }

    private static Optional<Instant> instant(ResultSet row, int column) throws SQLException {
        return Optional.ofNullable(row.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }
}
