package io.askpipe.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.askpipe.bench.profile.CpuProfileReport.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpuProfileReportTest {
    /** 10 s of the JVM's CPU, 1 s of it serial garbage collection and 1 s compilation: the samples stand for 80 %. */
    private static final JvmCpu CPU = new JvmCpu(
            Duration.ofSeconds(20),
            Optional.of(10.0),
            Optional.of(2),
            7,
            1.0,
            Optional.of("DefNew/SerialOld"),
            1,
            Optional.empty(),
            Optional.of(1.0),
            Optional.of(4.0));

    private static final JvmCpu NO_CPU = new JvmCpu(
            Duration.ofSeconds(20),
            Optional.empty(),
            Optional.empty(),
            0,
            0,
            Optional.empty(),
            1,
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    private static SampleCounts counts() {
        Tally tally = new Tally("jdk.ExecutionSample");
        for (int i = 0; i < 60; i++) {
            tally.add(
                    new Sample("data-plane-kafka-request-handler-0", false, List.of("kafka.server.KafkaApis")), false);
        }
        for (int i = 0; i < 30; i++) {
            tally.add(
                    new Sample(
                            "",
                            true,
                            List.of(i < 20 ? "org.jooq.impl.X" : "com.fasterxml.jackson.X", "io.askpipe.ingest.A")),
                    i < 3);
        }
        for (int i = 0; i < 10; i++) {
            tally.add(new Sample("mystery-" + i, false, List.of("com.example.Thing")), false);
        }
        return tally.counts();
    }

    private static Row row(List<Row> rows, String label) {
        return rows.stream().filter(r -> r.label().equals(label)).findFirst().orElseThrow();
    }

    @Test
    void eachComponentThenItsPartsThenWhatTheSamplesDoNotSeeThenTheTotal() {
        List<Row> rows = CpuProfileReport.rows(new CpuProfileResult(Path.of("s.jfr"), counts(), CPU), Optional.of(2.0));

        assertThat(rows)
                .extracting(Row::label)
                .containsExactly(
                        "the broker",
                        "broker: request handlers",
                        "ingest",
                        "ingest: virtual threads",
                        "not attributed",
                        "other: threads no rule names",
                        "garbage collection (not sampled)",
                        "JIT compilation (not sampled)",
                        "total");
        Row broker = row(rows, "the broker");
        assertThat(broker.samples()).contains(60L);
        assertThat(broker.ofSamples()).hasValueSatisfying(s -> assertThat(s).isCloseTo(0.6, within(1e-9)));
        assertThat(broker.ofCpu()).hasValueSatisfying(s -> assertThat(s).isCloseTo(0.48, within(1e-9)));
        assertThat(broker.msPerAsk()).hasValueSatisfying(ms -> assertThat(ms).isCloseTo(0.96, within(1e-9)));
        assertThat(row(rows, "ingest: virtual threads").libraries())
                .containsExactly(Map.entry(Library.JOOQ, 20L), Map.entry(Library.JACKSON, 10L));
        assertThat(row(rows, "garbage collection (not sampled)").msPerAsk())
                .hasValueSatisfying(ms -> assertThat(ms).isCloseTo(0.2, within(1e-9)));
    }

    @Test
    void thePartsGarbageCollectionAndCompilationAddUpToTheJvmsCpuAndTheCpuPerAsk() {
        List<Row> rows = CpuProfileReport.rows(new CpuProfileResult(Path.of("s.jfr"), counts(), CPU), Optional.of(2.0));
        List<Row> addends = rows.stream().filter(r -> !r.component()).toList();

        assertThat(addends.stream().mapToDouble(r -> r.ofCpu().orElseThrow()).sum())
                .isCloseTo(1.0, within(1e-9));
        assertThat(addends.stream().mapToDouble(r -> r.msPerAsk().orElseThrow()).sum())
                .isCloseTo(2.0, within(1e-9));
        assertThat(row(rows, "total").msPerAsk()).contains(2.0);
    }

    @Test
    void theTableSaysWhatWasRecordedAndNamesTheThreadsNoRuleNames() {
        String table = CpuProfileReport.table(new CpuProfileResult(Path.of("s.jfr"), counts(), CPU), Optional.of(2.0));

        assertThat(table)
                .contains("s.jfr: 100 samples (jdk.ExecutionSample) over 20.0 s, 3.0 % of them with their stack cut"
                        + " short")
                .contains("the JVM's CPU (jdk.CPULoad): 10.0 s, 0.50 of 2 hardware threads on average")
                .contains("garbage collection 1.0 s (7 collections, DefNew/SerialOld: 1.0 s of pauses times 1 thread)")
                .contains("JIT compilation 1.0 s (the compiler threads' jdk.ThreadCPULoad): 20.0 % of the JVM's CPU;"
                        + " a part's share of it is its share of the samples times the other 80.0 %")
                .contains("| part | samples | of the samples | of the JVM's CPU | ms per ask | top of stack")
                .contains("| **the broker** | 60 | 60.0 % | 48.0 % | 0.960 | Kafka 100 % |")
                .contains("| ingest: virtual threads | 30 | 30.0 % | 24.0 % | 0.480 | jOOQ 67 %, Jackson 33 % |")
                .contains("| garbage collection (not sampled) |  |  | 10.0 % | 0.200 |  |")
                .contains(
                        "| **total** | 100 | 100.0 % | 100.0 % | 2.000 | Kafka 60 %, jOOQ 20 %, Jackson 10 %, other 10 % |")
                .contains("threads no rule names (samples): mystery-N 10");
    }

    @Test
    void withoutTheJvmsCpuTheTableHasTheSamplesOnly() {
        String table =
                CpuProfileReport.table(new CpuProfileResult(Path.of("s.jfr"), counts(), NO_CPU), Optional.empty());

        assertThat(table)
                .contains("the JVM's CPU was not recorded")
                .contains("| part | samples | of the samples | top of stack")
                .contains("| **the broker** | 60 | 60.0 % | Kafka 100 % |")
                .doesNotContain("garbage collection (not sampled)");
    }

    @Test
    void measuredCpuComesBeforeWhatPausesAndCompileTimesSuggest() {
        JvmCpu measured = new JvmCpu(
                Duration.ofSeconds(20),
                Optional.of(10.0),
                Optional.of(2),
                7,
                1.0,
                Optional.of("G1New/G1Old"),
                2,
                Optional.of(0.5),
                Optional.empty(),
                Optional.of(4.0));

        assertThat(CpuProfileReport.unsampled(measured))
                .isEqualTo("garbage collection 0.5 s (7 collections, jdk.GCCPUTime), JIT compilation 4.0 s"
                        + " (jdk.CompilerStatistics: compile time, wall clock, an upper bound): 45.0 % of the JVM's"
                        + " CPU; a part's share of it is its share of the samples times the other 55.0 %");
        assertThat(CpuProfileReport.unsampled(NO_CPU))
                .isEqualTo("garbage collection 0.0 s (0 collections, unknown collector: 0.0 s of pauses times 1"
                        + " thread), JIT compilation not recorded; the JVM's CPU was not recorded (jdk.CPULoad,"
                        + " jdk.CPUInformation)");
    }

    @Test
    void theJsonKeepsEveryRow() {
        Map<String, Object> json =
                CpuProfileReport.json(new CpuProfileResult(Path.of("s.jfr"), counts(), CPU), Optional.of(2.0));

        assertThat(json)
                .containsEntry("samples", 100L)
                .containsEntry("truncated_samples", 3L)
                .containsEntry("jvm_cpu_s", 10.0)
                .containsEntry("sample_event", "jdk.ExecutionSample")
                .containsEntry(
                        "jit_compilation", Map.of("compiler_threads_cpu_s", 1.0, "compile_time_s", 4.0, "cpu_s", 1.0))
                .containsEntry("jvm_cpu_ms_per_ask", 2.0)
                .containsEntry("unnamed_threads", Map.of("mystery-N", 10L));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) json.get("rows");
        assertThat(rows).hasSize(9);
        assertThat(rows.getFirst())
                .containsEntry("row", "the broker")
                .containsEntry("samples", 60L)
                .containsEntry("libraries", Map.of("Kafka", 60L));
    }
}
