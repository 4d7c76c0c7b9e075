package io.askpipe.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.bench.load.AskLoadResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostReportTest {
    private static final StepResult CLAIM = new StepResult(
            new Step.Description("1. ingest: idempotency ledger claim", "a retry gets the first answer", "one claim"),
            2_000,
            0.5,
            0.0412,
            0.1234,
            40,
            3,
            new Timings.Summary(2_000, 1.2345, 12.345, 20.0, 2.0),
            "");
    private static final StepResult JSON = new StepResult(
            new Step.Description("8a. JSON: AskRequest written and read", "versioned JSON", "one message"),
            2_000,
            0.01,
            0.004567,
            0,
            4,
            0,
            new Timings.Summary(2_000, 0.0041, 0.0123, 0.05, 0.0045),
            "2048 bytes of JSON a message");
    private static final CostModelResult RESULT = new CostModelResult(
            Instant.parse("2026-12-08T10:00:00Z"),
            new AskLoadResult.Machine(2, "Linux 6.1", "OpenJDK 25", "AMD EPYC"),
            new CostModelOptions(2_000, 500, 64, 2048, Path.of("target/costmodel.json")),
            new StepRunner.Idle(2.0, 15.5, 5, 1.25),
            List.of(CLAIM, JSON));

    @Test
    void millisecondsKeepThreeSignificantDigitsInPlainNotation() {
        assertThat(CostReport.ms(0)).isEqualTo("0");
        assertThat(CostReport.ms(0.0041234)).isEqualTo("0.00412");
        assertThat(CostReport.ms(0.41)).isEqualTo("0.41");
        assertThat(CostReport.ms(1.23456)).isEqualTo("1.23");
        assertThat(CostReport.ms(10)).isEqualTo("10");
        assertThat(CostReport.ms(41.25)).isEqualTo("41.3");
        assertThat(CostReport.ms(99.96)).isEqualTo("100");
        assertThat(CostReport.ms(1234.5)).isEqualTo("1235");
    }

    @Test
    void aRowSaysTheStepWhyItsCpuPerAskAndItsLatency() {
        assertThat(CostReport.row(CLAIM))
                .isEqualTo(
                        "| 1. ingest: idempotency ledger claim | a retry gets the first answer | 0.0412 (0.02) | 0.123"
                                + " | 1.23 / 12.3 | one claim |");
    }

    @Test
    void theTableHasAHeaderARowPerStepAndTheNotesAndIdleNoiseBelow() {
        String table = CostReport.table(RESULT);

        assertThat(table.lines().toList())
                .startsWith(
                        "| step | why (which guarantee) | CPU ms per ask, JVM (of it JIT) | CPU ms per ask, PostgreSQL"
                                + " | latency p50 / p99 (ms) | latency of |",
                        "|---|---|---|---|---|---|",
                        CostReport.row(CLAIM),
                        CostReport.row(JSON),
                        "",
                        "- 1. ingest: idempotency ledger claim: GC pauses 3 ms in all",
                        "- 8a. JSON: AskRequest written and read: 2048 bytes of JSON a message")
                .last()
                .isEqualTo("- 2000 asks a step after 500 of warm-up, 64 in flight or to a batch, asks of 2048 bytes;"
                        + " the JVM's CPU includes the embedded broker's, and its JIT compiler threads' (which compile"
                        + " on, well after a short warm-up). Idle, over 2.0 s: JVM 15.5 ms/s (JIT 5 ms/s), PostgreSQL"
                        + " 1.25 ms/s");
    }

    @Test
    void theProgressLineCarriesTheRateAndTheNote() {
        assertThat(CostReport.summaryLine(JSON))
                .isEqualTo(
                        "200000 asks/s; CPU per ask: JVM 0.00457 ms (JIT 0.002), PostgreSQL 0 ms; latency p50 0.0041 ms,"
                                + " p99 0.0123 ms (2048 bytes of JSON a message)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJsonKeepsEveryFigureUnrounded() {
        Map<String, Object> json = CostReport.json(RESULT);

        assertThat(json).containsKeys("started_at", "machine", "options", "idle_cpu_ms_per_s", "steps");
        assertThat((Map<String, Object>) json.get("options"))
                .containsEntry("asks", 2_000)
                .containsEntry("warmup", 500)
                .containsEntry("batch", 64)
                .containsEntry("record_bytes", 2048);
        Map<String, Object> claim = ((List<Map<String, Object>>) json.get("steps")).getFirst();
        assertThat(claim)
                .containsEntry("step", "1. ingest: idempotency ledger claim")
                .containsEntry("asks_per_s", 4000.0);
        assertThat((Map<String, Object>) claim.get("cpu_ms_per_ask"))
                .containsEntry("jvm", 0.0412)
                .containsEntry("jvm_jit", 0.02)
                .containsEntry("postgresql", 0.1234);
        assertThat((Map<String, Object>) claim.get("latency_ms"))
                .containsEntry("of", "one claim")
                .containsEntry("p50", 1.2345)
                .containsEntry("p99", 12.345)
                .containsEntry("count", 2_000L);
    }
}
