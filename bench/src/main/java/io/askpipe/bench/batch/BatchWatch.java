package io.askpipe.bench.batch;

import io.askpipe.drill.deploy.Target;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Follows a batch in its row of {@code ingest.batches} every {@value #POLL_MS} ms until it ends,
 * opening and closing a phase of the timeline per {@link BatchStage} as it moves (a stage passed
 * between two reads opens and closes at once), and printing its progress and each service's memory
 * every few seconds.
 */
final class BatchWatch {
    static final long POLL_MS = 100;
    private static final Duration PRINT_EVERY = Duration.ofSeconds(5);

    /** The batch's row as one read saw it. */
    record Row(
            String status,
            long total,
            long completed,
            long failed,
            long inputBytes,
            long expandedBytes,
            long expandedLines,
            Optional<String> outputFileId,
            Optional<String> errorFileId) {
        BatchStage stage() {
            return BatchStage.of(status, expandedBytes, inputBytes);
        }
    }

    private final Target deployment;
    private final Timeline timeline;
    private final ServiceSampler sampler;

    BatchWatch(Target deployment, Timeline timeline, ServiceSampler sampler) {
        this.deployment = deployment;
        this.timeline = timeline;
        this.sampler = sampler;
    }

    /** Follows batch {@code id} until it ends or {@code atMost} passed; returns its last row. */
    Row follow(String id, Duration atMost) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + atMost.toNanos();
        long nextPrint = start + PRINT_EVERY.toNanos();
        long settledAtPrint = 0;
        try (Connection db = deployment.database()) {
            while (true) {
                Row row = read(db, id);
                advance(timeline, row.stage());
                long now = System.nanoTime();
                if (row.stage() == BatchStage.ENDED) {
                    return row;
                }
                if (now > deadline) {
                    throw new IllegalStateException("batch " + id + " has not ended after " + atMost + ": " + row);
                }
                if (now >= nextPrint) {
                    long settled = row.completed() + row.failed();
                    System.out.printf(
                            "  %4ds  %-11s queued %d/%d  settled %d (%.0f lines/s)  %s%n",
                            (now - start) / 1_000_000_000,
                            row.stage().phase(),
                            row.expandedLines(),
                            row.total(),
                            settled,
                            (settled - settledAtPrint) / (double) PRINT_EVERY.toSeconds(),
                            memory(sampler.latest()));
                    settledAtPrint = settled;
                    nextPrint += PRINT_EVERY.toNanos();
                }
                Thread.sleep(POLL_MS);
            }
        }
    }

    /**
     * Ends the phases of {@code timeline} of the stages before {@code stage} (one passed between two
     * reads begins and ends at once), and begins its own.
     */
    static void advance(Timeline timeline, BatchStage stage) {
        for (BatchStage earlier : BatchStage.values()) {
            if (earlier.ordinal() >= stage.ordinal()) {
                break;
            }
            if (earlier != BatchStage.ENDED) {
                timeline.begin(earlier.phase());
                timeline.end(earlier.phase());
            }
        }
        if (stage != BatchStage.ENDED) {
            timeline.begin(stage.phase());
        }
    }

    private static Row read(Connection db, String id) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(
                "SELECT status, total, completed, failed, input_bytes, expanded_bytes, expanded_lines,"
                        + " output_file_id, error_file_id FROM ingest.batches WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("no batch " + id);
                }
                return new Row(
                        rows.getString(1),
                        rows.getLong(2),
                        rows.getLong(3),
                        rows.getLong(4),
                        rows.getLong(5),
                        rows.getLong(6),
                        rows.getLong(7),
                        Optional.ofNullable(rows.getString(8)),
                        Optional.ofNullable(rows.getString(9)));
            }
        }
    }

    /** Each service's latest heap and PSS, in MiB. */
    static String memory(Map<String, MemorySample> latest) {
        StringJoiner line = new StringJoiner("  ");
        latest.forEach((service, sample) -> line.add(
                String.format("%s heap %d / pss %d MiB", service, sample.heapBytes() >> 20, sample.pssBytes() >> 20)));
        return line.toString();
    }
}
