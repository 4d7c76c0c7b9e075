package io.askpipe.bench.batch;

import io.askpipe.drill.deploy.Target;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Where the time of a run's asks went between their acceptance and their row, by the result
 * store's columns of them: from {@code accepted_at} (ingest accepted the ask) to {@code
 * completed_at} (the router answered it), the router's part with the queue before it, and from
 * {@code completed_at} to {@code updated_at} (the row with the answer written), the result store's
 * part. Percentiles in milliseconds.
 */
record ResultSplit(long asks, double routerP50Ms, double routerP99Ms, double storeP50Ms, double storeP99Ms) {
    static final ResultSplit NONE = new ResultSplit(0, 0, 0, 0, 0);

    /** The split of the asks whose idempotency keys start with {@code prefix} and whose rows are terminal. */
    static ResultSplit read(Target deployment, String prefix) throws SQLException {
        try (Connection db = deployment.database();
                PreparedStatement query = db.prepareStatement("SELECT count(*),"
                        + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - accepted_at)),"
                        + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - accepted_at)),"
                        + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - completed_at)),"
                        + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - completed_at))"
                        + " FROM store.asks WHERE idempotency_key LIKE ? || '%' AND completed_at IS NOT NULL")) {
            query.setString(1, prefix);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return new ResultSplit(
                        row.getLong(1),
                        row.getDouble(2) * 1000,
                        row.getDouble(3) * 1000,
                        row.getDouble(4) * 1000,
                        row.getDouble(5) * 1000);
            }
        }
    }
}
