package io.askpipe.drill.check;

import io.askpipe.drill.deploy.Target;
import io.askpipe.schemas.AskStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** The drill user's asks as the result store holds them in {@code store.asks}: what a client polling them sees. */
public final class StoreRows {
    private StoreRows() {}

    /** One ask's row. */
    public record Row(String status, String backend, String answer, String errorType, long updatedAtMillis) {
        boolean terminal() {
            return AskStatus.fromWire(status).terminal();
        }

        /** Whether a client sees the same status, backend, answer and error type in both. */
        boolean sameView(Row other) {
            return status.equals(other.status)
                    && Objects.equals(backend, other.backend)
                    && Objects.equals(answer, other.answer)
                    && Objects.equals(errorType, other.errorType);
        }
    }

    /**
     * Asks of the drill's user whose Idempotency-Key begins with {@code keyPrefix} (those of one
     * load: not the lines of a batch) with a terminal row; -1 while the database cannot be read.
     */
    public static int answered(Target deployment, String keyPrefix) {
        try (Connection db = deployment.database();
                var query = db.prepareStatement("SELECT count(*) FROM store.asks WHERE user_id = ?"
                        + " AND idempotency_key LIKE ? ESCAPE '\\' AND status = ANY (?)")) {
            query.setString(1, deployment.userId());
            query.setString(2, keyPrefix.replaceAll("[\\\\%_]", "\\\\$0") + "%");
            query.setArray(
                    3, db.createArrayOf("varchar", AskStatus.terminalWireNames().toArray()));
            var rows = query.executeQuery();
            rows.next();
            return rows.getInt(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** Every row of the drill's user, by request id. */
    public static Map<String, Row> read(Target deployment) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (Connection db = deployment.database();
                var query = db.prepareStatement(
                        "SELECT request_id, status, backend, answer, error_type, updated_at FROM store.asks WHERE user_id = ?")) {
            query.setString(1, deployment.userId());
            var result = query.executeQuery();
            while (result.next()) {
                rows.put(
                        result.getString(1),
                        new Row(
                                result.getString(2),
                                result.getString(3),
                                result.getString(4),
                                result.getString(5),
                                result.getTimestamp(6).getTime()));
            }
        }
        return rows;
    }
}
