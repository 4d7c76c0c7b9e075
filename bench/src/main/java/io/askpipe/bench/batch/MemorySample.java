package io.askpipe.bench.batch;

/**
 * One reading of one service's memory.
 *
 * @param service the service's process name ({@code ingest-api}, {@code router-worker-1}, ...)
 * @param atNanos when it was taken, on the timeline's clock
 * @param heapBytes its JVM's heap in use ({@code jvm_memory_used_bytes{area="heap"}}, every pool);
 *     0 when its metrics could not be read
 * @param pssBytes its proportional set size; 0 when it could not be read
 */
record MemorySample(String service, long atNanos, long heapBytes, long pssBytes) {}
