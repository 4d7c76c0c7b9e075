package io.askpipe.bench.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.bench.load.AskLoadResult.Completion;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchLoadReportTest {
    private static final Instant CREATED = Instant.parse("2026-12-07T10:00:00Z");
    private static final long S = 1_000_000_000L;

    @Test
    void theRatiosAreTheBatchOverTheSameRunsInteractiveFigures() {
        BatchLoadResult result = result(new Latencies.Summary(1500, 20, 30, 50, 60, 70), 100.0);

        // 50,000 lines in 250 s: 200 lines/s, against 100 completed asks/s
        assertThat(result.batch().linesPerSecond()).isEqualTo(200.0);
        assertThat(result.linesPerCompletedAsk()).isEqualTo(2.0);
        // beside the batch p50 40 ms and p99 400 ms, alone 20 and 50
        assertThat(result.p50Ratio()).isEqualTo(2.0);
        assertThat(result.p99Ratio()).isEqualTo(8.0);
    }

    @Test
    void aRatioWithoutABaselineIsNoRatio() {
        BatchLoadResult result = result(Latencies.Summary.EMPTY, 0.0);

        assertThat(result.linesPerCompletedAsk()).isNaN();
        assertThat(result.p99Ratio()).isNaN();
        assertThat(BatchLoadReport.ratio(result.p99Ratio())).isEqualTo("-");
        assertThat(BatchLoadReport.ratio(8.0)).isEqualTo("8.00x");
        assertThat(BatchLoadReport.ratio(0.0123)).isEqualTo("0.012x");
    }

    @Test
    void theHeadlineTableSaysBothFiguresAndTheirRatio() {
        String tables = BatchLoadReport.tables(result(new Latencies.Summary(1500, 20, 30, 50, 60, 70), 100.0));

        assertThat(tables)
                .contains("| batch lines per second, create to completed | 50,000 lines in 250.0 s: **200 lines/s** |")
                .contains("interactive completed asks: 100 asks/s")
                .contains("| 2.00x |")
                .contains("40.0 ms / **400 ms**")
                .contains("| 2.00x / **8.00x** |")
                .contains("| `completed_at` | 250.0 |")
                .contains("| every line queued: the checkpoint at the file's end (seen by polling) | 30.0 |")
                .doesNotContain("validation done");
    }

    @Test
    void theMomentsAreSecondsAfterTheCreate() {
        BatchTimes times = times();

        assertThat(times.secondsAfterCreate(times.inProgressAt())).isEqualTo(2.0);
        assertThat(times.secondsAfterCreate(times.lastStoredAt())).isEqualTo(260.0);
        assertThat(BatchTimes.seconds(times.total())).isEqualTo(250.0);
    }

    @Test
    void theMemoryTableHasARowPerPhaseThatRanAndADashForAServiceWithoutASample() {
        String table = BatchLoadReport.memoryTable(result(new Latencies.Summary(1, 1, 1, 1, 1, 1), 1.0));

        assertThat(table)
                .startsWith("| phase | seconds | load average, highest | ingest-api heap / PSS, peak |"
                        + " result-store heap / PSS, peak |")
                .contains("| upload | 2.0 | 3.5 | 100 MiB / 300 MiB | 50 MiB / 400 MiB |")
                .contains("| finalizing | 10.0 | - | 120 MiB / 310 MiB | - |")
                .doesNotContain("| alone |");
    }

    @Test
    void theJsonKeepsTheRatiosAndThePeaksByPhase() {
        Map<String, Object> json = BatchLoadReport.json(result(new Latencies.Summary(1500, 20, 30, 50, 60, 70), 100.0));

        assertThat(json.get("ratios"))
                .isEqualTo(Map.of(
                        "batch_lines_per_s_over_interactive_completed_per_s", 2.0,
                        "p50_with_over_without", 2.0,
                        "p99_with_over_without", 8.0));
        assertThat(json).containsKeys("machine", "options", "upload", "batch", "download", "phases");
        @SuppressWarnings("unchecked")
        Map<String, Object> phases = (Map<String, Object>) json.get("phases");
        assertThat(phases.keySet()).containsExactly("upload", "expanding", "finalizing", "run");
    }

    private static BatchLoadResult result(Latencies.Summary alone, double completedPerSecond) {
        Latencies.Summary beside = alone.count() == 0 ? alone : new Latencies.Summary(4000, 40, 100, 400, 500, 600);
        List<Timeline.Phase> phases = List.of(
                new Timeline.Phase("upload", 0, 2 * S),
                new Timeline.Phase("expanding", 12 * S, 40 * S),
                new Timeline.Phase("finalizing", 250 * S, 260 * S),
                new Timeline.Phase("run", 10 * S, 260 * S));
        Map<String, Map<String, PhasePeaks.Peak>> memory = new LinkedHashMap<>();
        memory.put(
                "upload",
                Map.of(
                        "ingest-api", new PhasePeaks.Peak(100L << 20, 300L << 20, 4),
                        "result-store", new PhasePeaks.Peak(50L << 20, 400L << 20, 4)));
        memory.put("expanding", Map.of());
        memory.put("finalizing", Map.of("ingest-api", new PhasePeaks.Peak(120L << 20, 310L << 20, 20)));
        memory.put("run", Map.of());
        return new BatchLoadResult(
                CREATED,
                new BatchLoadResult.Host(2, 24L << 30, "cpu", "Linux", "java 25", "1.0 2.0 3.0"),
                BatchLoadOptions.parse(),
                new InteractiveLoad.OpenRun("alone", 50, 30, 1500, 1500, 1500, alone, alone, 0, Map.of()),
                new BatchLoadResult.Closed(
                        new InteractiveLoad.ClosedRun("closed", 64, 30, 3000, alone, Map.of()),
                        new Completion(3000, completedPerSecond, 1.0, 10, 20)),
                new BatchLoadResult.Transfer(50_000_000, 50_000, 5),
                times(),
                new BatchLoadResult.Transfer(20_000_000, 50_000, 2),
                new InteractiveLoad.OpenRun("beside", 50, 250, 12500, 12500, 12500, beside, beside, 0, Map.of()),
                phases,
                List.of("ingest-api", "result-store"),
                memory,
                Map.of("upload", 3.5));
    }

    private static BatchTimes times() {
        return new BatchTimes(
                50_000,
                50_000,
                50_000,
                CREATED,
                CREATED.plusSeconds(2),
                CREATED.plusSeconds(5),
                CREATED.plusSeconds(240),
                CREATED.plusSeconds(260),
                CREATED.plusSeconds(241),
                CREATED.plus(Duration.ofMillis(241_500)),
                CREATED.plusSeconds(250));
    }
}
