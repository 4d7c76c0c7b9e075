package io.askpipe.drill.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.drill.report.DrillReport.Asks;
import io.askpipe.drill.report.DrillReport.BackendCalls;
import io.askpipe.drill.report.DrillReport.FaultCount;
import io.askpipe.drill.report.DrillReport.Faults;
import io.askpipe.drill.report.DrillReport.Invariant;
import io.askpipe.drill.report.DrillReport.Latency;
import io.askpipe.drill.report.DrillReport.Memory;
import io.askpipe.drill.report.DrillReport.Percentiles;
import io.askpipe.drill.report.DrillReport.ProcessLife;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import io.askpipe.drill.report.DrillReport.RequestCounts;
import io.askpipe.drill.report.DrillReport.ServiceMemory;
import io.askpipe.drill.report.DrillReport.Settings;
import io.askpipe.drill.report.DrillReport.Throughput;
import io.askpipe.drill.report.DrillReport.Webhooks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report's lines as docs/operations.md ("Chaos drills") explains them. */
class ReportTextTest {
    @Test
    void rendersEveryLineOfADrillOfItsOwnDeployment() {
        Map<String, FaultCount> faults = new TreeMap<>(Map.of(
                "ingest_publish_failure", new FaultCount(3, 3),
                "store_failure", new FaultCount(5, 5),
                "vendor_failure", new FaultCount(26, 14),
                "worker_crash", new FaultCount(1, 1)));
        Map<String, ProcessLife> processes = new LinkedHashMap<>();
        processes.put("ingest-api", new ProcessLife(1, 0, 0));
        processes.put("router-worker-1", new ProcessLife(3, 1, 1));
        Map<String, ServiceMemory> memory = new LinkedHashMap<>();
        memory.put("ingest-api", ServiceMemory.of(201_587_507, 0));
        memory.put("router-worker-1", new ServiceMemory(96.0, 1));
        DrillReport report = new DrillReport(
                settings("beginning"),
                new Asks(300, 300, 0, 0, 39, 299, 1, 0, 0, 0, 0, 0),
                new BackendCalls(329, 300, 18, 3, 29),
                new Webhooks(300, 300, 0, 0, 300),
                new Faults(faults, 23, "c9fa15a68f2a5e07"),
                processes,
                new Memory(128, memory),
                new Throughput(14.8, 21.4, 20.2),
                new Latency(
                        new Percentiles(382.2, 1001.5, 1003.5, 11141.1), new Percentiles(6247, 10911, 12167, 14183)),
                new ReplayOutcome("beginning", 300, 300, 0L, 2),
                null,
                List.of(
                        new Invariant("lost", 0, "0", true),
                        new Invariant("replay_redelivered", 300, "at least 1", true),
                        new Invariant("replay_views_changed", 2, "0", false)),
                false);

        assertThat(ReportText.render(report)).isEqualTo("""

                        askpipe drill report
                          asks               300 submitted, 300 accepted, 0 refused, 0 given up, 39 client retries
                          terminal results   299 succeeded, 1 failed, 0 expired, 0 cancelled
                          backend calls      329 in all, 18 asks called more than once (at most 3), 29 beyond one per ask
                          webhooks           300 of 300 delivered, 300 deliveries, 0 webhook ids seen more than once
                          faults injected    ingest_publish_failure 3, store_failure 5, vendor_failure 26, worker_crash 1 (fingerprint c9fa15a68f2a5e07 over 23 places)
                          processes          router-worker-1: 1 killed, 1 crashed
                          memory (MiB)       heap cap 128; peak PSS ingest-api 192.2, router-worker-1 96.0 (1 out of memory)
                          throughput         21 asks/s accepted, 20 asks/s answered, 14.8 s in all
                          submit (ms)        p50 382.2  p95 1001.5  p99 1003.5  max 11141.1
                          to result (ms)     p50 6247.0  p95 10911.0  p99 12167.0  max 14183.0
                          replay beginning   300 asks redelivered, 300 results republished, 0 backend calls, 2 views changed
                        invariants
                          ok   lost                                 0 (must be 0)
                          ok   replay_redelivered                   300 (must be at least 1)
                          FAIL replay_views_changed                 2 (must be 0)
                        FAILED
                        """);
    }

    @Test
    void againstARunningDeploymentBackendCallsAreNotCountedAndFaultsComeFromMetrics() {
        DrillReport report = new DrillReport(
                settings("none"),
                new Asks(50, 50, 0, 0, 0, 50, 0, 0, 0, 0, 0, 0),
                null,
                new Webhooks(50, 50, 0, 0, 50),
                new Faults(Map.of("vendor_failure", new FaultCount(2, 0)), 0, null),
                Map.of(),
                null,
                new Throughput(3.0, 50, 16.7),
                new Latency(new Percentiles(1, 2, 3, 4), new Percentiles(5, 6, 7, 8)),
                null,
                null,
                List.of(new Invariant("lost", 0, "0", true)),
                true);

        assertThat(ReportText.render(report))
                .contains("  backend calls      not counted: the deployment's own backends answered\n")
                .contains("  faults injected    vendor_failure 2 (from /metrics)\n")
                .contains("  processes          none restarted\n")
                .doesNotContain("memory")
                .doesNotContain("replay")
                .doesNotContain("batch")
                .endsWith("PASSED\n");
    }

    @Test
    void rendersTheBatchsLinesBetweenTheReplayAndTheInvariants() {
        DrillReport.Batch batch = DrillReport.Batch.of(
                5000,
                "batch_0193a",
                "completed",
                312.44,
                new RequestCounts(5000, 4990, 10),
                4990,
                10,
                0,
                0,
                new BackendCalls(5200, 5000, 150, 4, 200));
        DrillReport report = new DrillReport(
                settings("none"),
                new Asks(50, 50, 0, 0, 0, 50, 0, 0, 0, 0, 0, 0),
                null,
                new Webhooks(50, 50, 0, 0, 50),
                new Faults(Map.of(), 0, null),
                Map.of(),
                null,
                new Throughput(3.0, 50, 16.7),
                new Latency(new Percentiles(1, 2, 3, 4), new Percentiles(5, 6, 7, 8)),
                null,
                batch,
                List.of(new Invariant("batch_lines_missing", 0, "0", true)),
                true);

        assertThat(batch.linesPerSecond()).isEqualTo(16.0);
        assertThat(ReportText.render(report)).contains("""
                          to result (ms)     p50 5.0  p95 6.0  p99 7.0  max 8.0
                          batch              5000 lines, batch_0193a completed after 312.4 s (16.0 lines/s)
                          batch lines        request_counts 5000 total, 4990 completed, 10 failed; files 4990 output + 10 error lines, 0 missing, 0 duplicated
                          batch calls        5200 in all, 150 lines called more than once (at most 4), 200 beyond one per line
                        invariants
                          ok   batch_lines_missing                  0 (must be 0)
                        """);
    }

    @Test
    void aBatchNeverCreatedAndOneAgainstARunningDeploymentSayWhatIsNotKnown() {
        DrillReport.Batch batch =
                DrillReport.Batch.of(10, null, "not_created", 0, new RequestCounts(0, 0, 0), 0, 0, 10, 0, null);

        assertThat(batch.linesPerSecond()).isZero();
        DrillReport report = new DrillReport(
                settings("none"),
                new Asks(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                null,
                new Webhooks(0, 0, 0, 0, 0),
                new Faults(Map.of(), 0, null),
                Map.of(),
                null,
                new Throughput(3.0, 0, 0),
                new Latency(new Percentiles(0, 0, 0, 0), new Percentiles(0, 0, 0, 0)),
                null,
                batch,
                List.of(new Invariant("batch_not_completed", 1, "0", false)),
                false);

        assertThat(ReportText.render(report))
                .contains("  batch              10 lines, never created\n")
                .contains("  batch calls        not counted: the deployment's own backends answered\n")
                .endsWith("FAILED\n");
    }

    private static Settings settings(String replay) {
        return new Settings(300, 32, 1, Map.of(), 300, 2, 10, 0, replay, true, 10, 2, 10, 0);
    }
}
