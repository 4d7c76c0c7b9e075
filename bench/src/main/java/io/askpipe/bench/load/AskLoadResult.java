package io.askpipe.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What one run of the load generator measured, phase by phase, and the same-run baselines beside
 * it.
 */
public record AskLoadResult(
        Instant startedAt,
        Machine machine,
        AskLoadOptions options,
        SubmitToResult idle,
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

    /**
     * The ingest API's closed-loop peak; the hello-world server's with the same client and
     * connections; and the same durable work as ingest's without HTTP, as many in flight.
     */
    public record IngestPeak(int connections, HttpLoad.Run hello, HttpLoad.Run ingest, DurableBaseline durable) {
        /** The same peak with its durable-work baseline, measured after the other phases. */
        IngestPeak withDurable(DurableBaseline measured) {
            return new IngestPeak(connections, hello, ingest, measured);
        }

        double helloRate() {
            return hello.submit.getTotalCount() / hello.seconds();
        }

        double ingestRate() {
            return ingest.submit.getTotalCount() / ingest.seconds();
        }

        /** The ingest peak as a share of the hello world's. */
        double ingestOverHello() {
            return share(ingestRate(), helloRate());
        }

        /** The ingest peak as a share of its durable work's without HTTP. */
        double ingestOverDurable() {
            return share(ingestRate(), durable.rate());
        }
    }

    /**
     * What ingest makes durable of each ask, without HTTP ({@link DurableWork}): the ledger claim,
     * the publish acknowledged by {@code acks=all}, the accepted mark handed to the ledger; each
     * ask's latency from its claim to its acknowledgement.
     *
     * @param inFlight asks in flight, each claimed, published and marked after the one before
     * @param asks asks acknowledged within the measured seconds that started in them
     * @param errors failures by kind (a claim, a publish or a mark), over the measured seconds
     */
    public record DurableBaseline(
            int inFlight,
            long asks,
            double seconds,
            double p50Ms,
            double p99Ms,
            double maxMs,
            Map<String, Long> errors) {
        /** Asks per second. */
        double rate() {
            return seconds > 0 ? asks / seconds : 0;
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
     * @param duration how long the asks were measured (after the phase's own warm-up)
     * @param workerStage the buckets the router's {@code worker} stage gained in the phase
     */
    public record SubmitToResult(int rate, Duration duration, HttpLoad.Run run, Map<Double, Double> workerStage) {
        /** The share of the router's {@code worker} stages that took at most a millisecond. */
        double shareWithinOneMs() {
            return workerStage.getOrDefault(0.001, 0.0) / workerStage.get(Double.POSITIVE_INFINITY);
        }
    }

    /**
     * Completed asks per second at an offered rate, and the CPU each completed ask cost.
     *
     * @param jvmCpuMsPerAsk CPU of the stack's JVM from the phase's first ask to its last row: its
     *     services, and its broker unless that runs apart
     * @param databaseCpuMsPerAsk CPU of its PostgreSQL processes over the same time
     * @param brokerCpuMsPerAsk CPU of the broker's JVM over the same time, when it runs apart (split cores)
     */
    public record Sustained(
            int rate,
            HttpLoad.Run run,
            Completion completion,
            double jvmCpuMsPerAsk,
            double databaseCpuMsPerAsk,
            OptionalDouble brokerCpuMsPerAsk) {
        /** The CPU time from {@code before} to {@code after} shared among {@code asks}, in milliseconds each. */
        static double msPerAsk(Duration before, Duration after, long asks) {
            return asks > 0 ? after.minus(before).toNanos() / 1e6 / asks : 0;
        }
    }

    /**
     * How the asks of one phase reached their terminal rows, by the database's clock.
     *
     * @param rate asks per second from the first acceptance to the last row
     * @param lagSeconds from the last acceptance to the last row
     */
    public record Completion(long asks, double rate, double lagSeconds, double p50Ms, double p99Ms) {}

    /**
     * The peak memory (proportional set size) of the stack's JVM, of the broker's JVM when it runs
     * apart (split cores), and of all of them with PostgreSQL.
     */
    public record Memory(long jvmPeakBytes, long totalPeakBytes, OptionalLong brokerPeakBytes) {}

    /** Kafka's own tools on the stack's broker. */
    public record KafkaBaselines(ProducerBaseline producer, EndToEndBaseline endToEnd) {}

    /** Kafka's {@code ProducerPerformance} with the ingest producer's settings. */
    public record ProducerBaseline(
            long records, int recordSize, double recordsPerS, double avgLatencyMs, int p50Ms, int p99Ms) {}

    /** Kafka's {@code EndToEndLatency}: produce to consume, one record at a time, {@code acks=all}. */
    public record EndToEndBaseline(int records, double avgMs, int p50Ms, int p99Ms) {}

    /** A plain JDBC loop of batched upserts on the stack's PostgreSQL. */
    public record JdbcBaseline(int rows, int batch, double rowsPerS) {}

    /** {@code value} as a share of {@code baseline}; 0 without a baseline. */
    static double share(double value, double baseline) {
        return baseline > 0 ? value / baseline : 0;
    }
}
