package io.askpipe.bench.load;

import io.askpipe.bench.load.AskLoadResult.Completion;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How a phase's asks reached their terminal rows in {@code store.asks}: waits until every accepted
 * one has, then measures by the database's clock.
 */
public final class StoreCompletion {
    private StoreCompletion() {}

    /**
     * Waits until every ask of {@code run} that {@code load} saw accepted has a terminal row (an
     * accepted ask may have no row yet at all); then the rate at which they got there (from the
     * first acceptance to the last row) and accepted-to-stored percentiles.
     *
     * @param run the phase's run id, which starts every Idempotency-Key of it
     */
    static Completion await(StackProcess stack, String run, HttpLoad.Run load, Duration atMost) throws Exception {
        try (Connection db = DriverManager.getConnection(stack.jdbcUrl, "postgres", "postgres")) {
            return await(db, run, load.accepted.get(), atMost);
        }
    }

    /**
     * As {@link #await(StackProcess, String, HttpLoad.Run, Duration)}, for {@code accepted} asks of
     * {@code run} in the database {@code db} holds.
     */
    public static Completion await(Connection db, String run, long accepted, Duration atMost)
            throws SQLException, InterruptedException {
        String pattern = run + "-%";
        long deadline = System.nanoTime() + atMost.toNanos();
        long terminal;
        while ((terminal = queryLong(
                        db,
                        "SELECT count(*) FROM store.asks WHERE idempotency_key LIKE ?"
                                + " AND status IN ('succeeded', 'failed')",
                        pattern))
                < accepted) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException((accepted - terminal) + " of " + accepted + " asks of " + run
                        + " not terminal after " + atMost);
            }
            Thread.sleep(500);
        }
        try (PreparedStatement query = db.prepareStatement("SELECT count(*),"
                + " extract(epoch FROM max(updated_at) - min(accepted_at)),"
                + " extract(epoch FROM max(updated_at) - max(accepted_at)),"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - accepted_at)),"
                + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - accepted_at))"
                + " FROM store.asks WHERE idempotency_key LIKE ?")) {
            query.setString(1, pattern);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                long asks = rows.getLong(1);
                return new Completion(
                        asks,
                        asks / rows.getDouble(2),
                        rows.getDouble(3),
                        rows.getDouble(4) * 1000,
                        rows.getDouble(5) * 1000);
            }
        }
    }

    private static long queryLong(Connection db, String sql, String parameter) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, parameter);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
