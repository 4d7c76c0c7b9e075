package io.askpipe.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * What one run of the load generator measured, phase by phase, and the same-run baselines beside
 * it.
 */
public record AskLoadResult(
        Instant startedAt,
        Machine machine,
        AskLoadOptions options,
        IngestPeak ingestPeak,
        HalfPeak halfPeak,
        SubmitToResult submitToResult,
        Sustained sustained,
        Memory memory,
        KafkaBaselines kafka,
        JdbcBaseline jdbc) {

    /** The machine the run was on. */
    public record Machine(int cores, String os, String java, String cpu) {
        public static Machine here() {
            String cpu;
            try {
                cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("model name"))
                        .findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .orElse("unknown");
            } catch (IOException e) {
                cpu = "unknown";
            }
            return new Machine(
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.version"),
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                    cpu);
        }
    }

    /** The ingest API's closed-loop peak, and the hello-world server's with the same client and connections. */
    public record IngestPeak(int connections, HttpLoad.Run hello, HttpLoad.Run ingest) {
        double helloRate() {
            return hello.submit.getTotalCount() / hello.seconds();
        }

        double ingestRate() {
            return ingest.submit.getTotalCount() / ingest.seconds();
        }
    }

    /**
     * Ingest's submit latency in an open loop at half its peak, and its stage timers in that phase.
     *
     * @param stages the buckets each of ingest's stages gained in the phase, by stage
     */
    public record HalfPeak(int rate, HttpLoad.Run run, Map<String, Map<Double, Double>> stages) {}

    /**
     * Submit to result visible, each ask long-polled, and the router's {@code worker} stage meanwhile.
     *
     * @param workerStage the buckets the router's {@code worker} stage gained in the phase
     */
    public record SubmitToResult(int rate, HttpLoad.Run run, Map<Double, Double> workerStage) {
        /** The share of the router's {@code worker} stages that took at most a millisecond. */
        double shareWithinOneMs() {
            return workerStage.getOrDefault(0.001, 0.0) / workerStage.get(Double.POSITIVE_INFINITY);
        }
    }

    /**
     * Completed asks per second at an offered rate, and the CPU each completed ask cost.
     *
     * @param jvmCpuMsPerAsk CPU of the stack's JVM from the phase's first ask to its last row
     * @param databaseCpuMsPerAsk CPU of its PostgreSQL processes over the same time
     */
    public record Sustained(
            int rate, HttpLoad.Run run, Completion completion, double jvmCpuMsPerAsk, double databaseCpuMsPerAsk) {}

    /**
     * How the asks of one phase reached their terminal rows, by the database's clock.
     *
     * @param rate asks per second from the first acceptance to the last row
     * @param lagSeconds from the last acceptance to the last row
     */
    public record Completion(long asks, double rate, double lagSeconds, double p50Ms, double p99Ms) {}

    /** The peak memory (proportional set size) of the stack's JVM, and of it with its PostgreSQL. */
    public record Memory(long jvmPeakBytes, long totalPeakBytes) {}

    /** Kafka's own tools on the stack's broker. */
    public record KafkaBaselines(ProducerBaseline producer, EndToEndBaseline endToEnd) {}

    /** Kafka's {@code ProducerPerformance} with the ingest producer's settings. */
    public record ProducerBaseline(
            long records, int recordSize, double recordsPerS, double avgLatencyMs, int p50Ms, int p99Ms) {}

    /** Kafka's {@code EndToEndLatency}: produce to consume, one record at a time, {@code acks=all}. */
    public record EndToEndBaseline(int records, double avgMs, int p50Ms, int p99Ms) {}

    /** A plain JDBC loop of batched upserts on the stack's PostgreSQL. */
    public record JdbcBaseline(int rows, int batch, double rowsPerS) {}
}
