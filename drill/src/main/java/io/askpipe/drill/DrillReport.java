package io.askpipe.drill;

import java.util.List;
import java.util.Map;

/**
 * What a drill found, as printed and as written to {@code report.json} (snake_case keys). The
 * invariants decide the exit status; everything else is for the operator to read.
 */
record DrillReport(
        Settings drill,
        Asks asks,
        BackendCalls backendCalls,
        Webhooks webhooks,
        Faults faults,
        Map<String, ProcessLife> processes,
        Throughput throughput,
        Latency latencyMs,
        ReplayOutcome replay,
        List<Invariant> invariants,
        boolean passed) {

    record Settings(
            int asks,
            int concurrency,
            long seed,
            Map<String, Double> faults,
            long vendorLatencyMs,
            int workers,
            long killWorkerEverySeconds,
            long killStoreEverySeconds,
            String replay,
            boolean webhooks) {}

    /**
     * @param submitted asks the clients tried
     * @param accepted answered 202
     * @param refused answered something other than 202, 429 or 503
     * @param gaveUp never accepted within the clients' patience
     * @param clientRetries tries after a 503 or a connection error
     * @param succeeded accepted asks whose result is {@code succeeded}
     * @param failed accepted asks whose result is {@code failed}
     * @param lost accepted asks without a terminal result
     * @param conflicting asks with more than one distinct terminal result on {@code ask.results}
     * @param retryFoundOtherAsk late client retries of an accepted key that did not find its ask
     */
    record Asks(
            int submitted,
            int accepted,
            int refused,
            int gaveUp,
            int clientRetries,
            int succeeded,
            int failed,
            int lost,
            int conflicting,
            int retryFoundOtherAsk) {}

    /**
     * Calls the drill's LLM received ({@code null} in the report against a running deployment, whose
     * own backends answered). {@code extra} is calls beyond one per accepted ask:
     * retries after injected failures, and asks a killed worker had started and the next owner did
     * again.
     */
    record BackendCalls(long total, int asksCalled, int asksCalledMoreThanOnce, int maxPerAsk, long extra) {}

    /** @param duplicateIds webhook ids the receiver saw more than once (at-least-once delivery) */
    record Webhooks(int expected, int delivered, int missing, int duplicateIds, int deliveries) {}

    /**
     * Faults injected, from the services' logs. {@code fingerprint} is a digest of the set of
     * distinct (fault, place) pairs: the same seed gives the same fingerprint when the same asks
     * ran, whatever the timing. Against a running deployment the strikes come from its {@code
     * /metrics}, without places or fingerprint.
     */
    record Faults(Map<String, FaultCount> byType, int distinctPlaces, String fingerprint) {}

    /** @param strikes log lines; @param places distinct places (a redone ask strikes its place again) */
    record FaultCount(int strikes, int places) {}

    record ProcessLife(int starts, int kills, int crashes) {}

    record Throughput(double seconds, double acceptedPerSecond, double answeredPerSecond) {}

    record Latency(Percentiles submit, Percentiles toResult) {}

    record Percentiles(double p50, double p95, double p99, double max) {}

    /**
     * @param redelivered asks the router was given again
     * @param resultsRepublished records added to {@code ask.results} meanwhile
     * @param backendCalls calls the LLM received meanwhile (0: answered asks are not sent again);
     *     {@code null} against a running deployment, whose backends the drill does not see
     * @param viewsChanged asks whose status, backend or answer a client sees changed
     */
    record ReplayOutcome(String what, long redelivered, long resultsRepublished, Long backendCalls, int viewsChanged) {}

    /** @param must what the value must be, in words ({@code "0"}, {@code "at least 1"}) */
    record Invariant(String name, long value, String must, boolean holds) {
        static Invariant zero(String name, long value) {
            return new Invariant(name, value, "0", value == 0);
        }

        static Invariant atLeast(String name, long value, long least) {
            return new Invariant(name, value, "at least " + least, value >= least);
        }
    }
}
