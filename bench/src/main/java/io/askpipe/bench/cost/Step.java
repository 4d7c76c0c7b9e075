package io.askpipe.bench.cost;

/**
 * One step an ask takes through the pipeline, run alone over a range of the run's asks on the
 * production class that does it, batched as the pipeline batches it.
 */
interface Step extends AutoCloseable {
    /** What the step is called, why the pipeline takes it, and what its latency is the time of. */
    record Description(String name, String guarantee, String latencyOf) {}

    Description description();

    /**
     * Runs the step for asks {@code first} to {@code first + count - 1}, recording in {@code
     * timings} the latency of each operation (or of each batch, where the step says so).
     */
    void run(int first, int count, Timings timings) throws Exception;

    /**
     * Measures the latency apart from {@link #run}, for a step whose run has none of its own (a
     * backlog drained); by default the run's timings are its latency and this does nothing.
     */
    default void probeLatency(int first, int count, Timings timings) throws Exception {}

    /** What else a reader should know of the run just measured (batch sizes, transactions); empty if nothing. */
    default String note() {
        return "";
    }

    /** Releases what the step alone holds; what it shares with other steps its owner closes. */
    @Override
    default void close() throws Exception {}
}
