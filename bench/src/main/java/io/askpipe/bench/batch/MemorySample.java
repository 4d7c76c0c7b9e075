package io.askpipe.bench.batch;

/**
 * One reading of one service's memory; a figure that could not be read is 0.
 *
 * @param service the service's process name ({@code ingest-api}, {@code router-worker-1}, ...)
 * @param atNanos when it was taken, on the timeline's clock
 * @param heapBytes its JVM's heap in use ({@code jvm_memory_used_bytes{area="heap"}}, every pool)
 * @param committedBytes its JVM's heap taken from the system ({@code jvm_memory_committed_bytes{area="heap"}})
 * @param pssBytes its proportional set size
 */
record MemorySample(String service, long atNanos, long heapBytes, long committedBytes, long pssBytes) {}
