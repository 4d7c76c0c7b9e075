package io.askpipe.drill.report;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;

/**
 * What a drill found, as printed and as written to {@code report.json} (snake_case keys). The
 * invariants decide the exit status; everything else is for the operator to read.
 */
public record DrillReport(
        Settings drill,
        Asks asks,
        BackendCalls backendCalls,
        Webhooks webhooks,
        Faults faults,
        Map<String, ProcessLife> processes,
        Memory memory,
        Throughput throughput,
        Latency latencyMs,
        ReplayOutcome replay,
        Batch batch,
        List<Invariant> invariants,
        boolean passed) {

    public record Settings(
            int asks,
            int concurrency,
            long seed,
            Map<String, Double> faults,
            long vendorLatencyMs,
            int workers,
            long killWorkerEverySeconds,
            long killStoreEverySeconds,
            String replay,
            boolean webhooks,
            int expireEvery,
            int expiresAfterSeconds,
            int cancelEvery,
            int batchLines) {}

    /**
     * @param submitted asks the clients tried
     * @param accepted answered 202
     * @param refused answered something other than 202, 429 or 503
     * @param gaveUp never accepted within the clients' patience
     * @param clientRetries tries after a 503 or a connection error
     * @param succeeded accepted asks whose result is {@code succeeded}
     * @param failed accepted asks whose result is {@code failed}
     * @param expired accepted asks whose deadline passed before they had an answer
     * @param cancelled accepted asks the drill cancelled before they had an answer
     * @param lost accepted asks without a terminal result
     * @param conflicting asks with more than one distinct terminal result on {@code ask.results}
     * @param retryFoundOtherAsk late client retries of an accepted key that did not find its ask
     */
    public record Asks(
            int submitted,
            int accepted,
            int refused,
            int gaveUp,
            int clientRetries,
            int succeeded,
            int failed,
            int expired,
            int cancelled,
            int lost,
            int conflicting,
            int retryFoundOtherAsk) {}

    /**
     * Calls the drill's LLM received ({@code null} in the report against a running deployment, whose
     * own backends answered). {@code extra} is calls beyond one per accepted ask:
     * retries after injected failures, and asks a killed worker had started and the next owner did
     * again.
     */
    public record BackendCalls(long total, int asksCalled, int asksCalledMoreThanOnce, int maxPerAsk, long extra) {
        /**
         * The calls of {@code total} in all, of which each ask's are {@code callsPerAsk} (one
         * count per ask, 0 for an ask never called).
         */
        public static BackendCalls of(long total, IntStream callsPerAsk) {
            int[] calls = callsPerAsk.toArray();
            int asksCalled = 0;
            int calledMoreThanOnce = 0;
            int maxCalls = 0;
            for (int n : calls) {
                asksCalled += n > 0 ? 1 : 0;
                calledMoreThanOnce += n > 1 ? 1 : 0;
                maxCalls = Math.max(maxCalls, n);
            }
            return new BackendCalls(total, asksCalled, calledMoreThanOnce, maxCalls, total - asksCalled);
        }
    }

    /** @param duplicateIds webhook ids the receiver saw more than once (at-least-once delivery) */
    public record Webhooks(int expected, int delivered, int missing, int duplicateIds, int deliveries) {}

    /**
     * Faults injected, from the services' logs. {@code fingerprint} is a digest of the set of
     * distinct (fault, place) pairs: the same seed gives the same fingerprint when the same asks
     * ran, whatever the timing. Against a running deployment the strikes come from its {@code
     * /metrics}, without places or fingerprint.
     */
    public record Faults(Map<String, FaultCount> byType, int distinctPlaces, String fingerprint) {}

    /** @param strikes log lines; @param places distinct places (a redone ask strikes its place again) */
    public record FaultCount(int strikes, int places) {}

    public record ProcessLife(int starts, int kills, int crashes) {}

    /**
     * The memory of the service processes the drill ran ({@code null} in the report against a
     * running deployment, whose processes it does not see).
     *
     * @param heapMib every service's heap cap ({@code -Xmx}), in MiB
     * @param services each service's memory, by name
     */
    public record Memory(int heapMib, Map<String, ServiceMemory> services) {}

    /**
     * @param peakPssMib the highest proportional set size read while the drill ran (every half
     *     second), in MiB; 0 if never read
     * @param outOfMemoryExits exits caused by an {@link OutOfMemoryError}, from its log
     */
    public record ServiceMemory(double peakPssMib, int outOfMemoryExits) {
        /** A service's memory with its peak given in bytes. */
        public static ServiceMemory of(long peakPssBytes, int outOfMemoryExits) {
            return new ServiceMemory(round(peakPssBytes / (1024.0 * 1024.0)), outOfMemoryExits);
        }
    }

    public record Throughput(double seconds, double acceptedPerSecond, double answeredPerSecond) {
        /**
         * @param seconds the whole drill, until every accepted ask was answered
         * @param submitSeconds until the clients had submitted every ask
         */
        public static Throughput of(double seconds, double submitSeconds, int accepted, int answered) {
            return new Throughput(
                    round(seconds),
                    round(accepted / Math.max(submitSeconds, 1e-3)),
                    round(answered / Math.max(seconds, 1e-3)));
        }
    }

    public record Latency(Percentiles submit, Percentiles toResult) {}

    public record Percentiles(double p50, double p95, double p99, double max) {
        /** The percentiles of {@code histogram}, each divided by {@code divisor} and rounded to a tenth. */
        public static Percentiles of(Histogram histogram, double divisor) {
            if (histogram.getTotalCount() == 0) {
                return new Percentiles(0, 0, 0, 0);
            }
            return new Percentiles(
                    round(histogram.getValueAtPercentile(50) / divisor),
                    round(histogram.getValueAtPercentile(95) / divisor),
                    round(histogram.getValueAtPercentile(99) / divisor),
                    round(histogram.getMaxValue() / divisor));
        }
    }

    /**
     * @param redelivered asks the router was given again
     * @param resultsRepublished records added to {@code ask.results} meanwhile
     * @param backendCalls calls the LLM received meanwhile (0: answered asks are not sent again);
     *     {@code null} against a running deployment, whose backends the drill does not see
     * @param viewsChanged asks whose status, backend or answer a client sees changed
     */
    public record ReplayOutcome(
            String what, long redelivered, long resultsRepublished, Long backendCalls, int viewsChanged) {}

    /**
     * The drill's batch ({@code null} in the report when it ran none): its lines, what became of it
     * and what its files hold.
     *
     * @param id {@code batch_...}; {@code null} if it was never created
     * @param status its status when the drill stopped following it ({@code not_created} if it never was)
     * @param seconds from its creation to the end the drill saw (0 if it did not end)
     * @param linesPerSecond lines over those seconds
     * @param requestCounts its {@code request_counts} as last retrieved
     * @param outputLines lines of its output file
     * @param errorLines lines of its error file
     * @param missing lines of the input without a line in either file
     * @param duplicated lines of the input with more than one
     * @param backendCalls what its lines cost the drill's LLM ({@code null} against a running deployment);
     *     {@code asks} are lines here
     */
    public record Batch(
            int lines,
            String id,
            String status,
            double seconds,
            double linesPerSecond,
            RequestCounts requestCounts,
            int outputLines,
            int errorLines,
            int missing,
            int duplicated,
            BackendCalls backendCalls) {
        /** A batch that ran {@code seconds} (0 if it did not end), its rate rounded as the report's others. */
        public static Batch of(
                int lines,
                String id,
                String status,
                double seconds,
                RequestCounts requestCounts,
                int outputLines,
                int errorLines,
                int missing,
                int duplicated,
                BackendCalls backendCalls) {
            return new Batch(
                    lines,
                    id,
                    status,
                    round(seconds),
                    seconds > 0 ? round(lines / seconds) : 0,
                    requestCounts,
                    outputLines,
                    errorLines,
                    missing,
                    duplicated,
                    backendCalls);
        }
    }

    /** OpenAI's {@code request_counts} of a batch. */
    public record RequestCounts(long total, long completed, long failed) {}

    /**
     * One invariant as the drill found it.
     *
     * @param must what the value must be, in words ({@code "0"}, {@code "at least 1"})
     */
    public record Invariant(String name, long value, String must, boolean holds) {}

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
