package io.askpipe.bench.batch;

/** A JVM's heap in use as its Prometheus scrape tells it: {@code jvm_memory_used_bytes} of the heap's pools, summed. */
final class HeapMetric {
    private static final String NAME = "jvm_memory_used_bytes{";

    private HeapMetric() {}

    /** The bytes in use in every heap pool that {@code scrape} (Prometheus's text format) lists; 0 if none. */
    static long usedHeap(String scrape) {
        double bytes = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(NAME)) {
                int labelsEnd = line.lastIndexOf('}');
                String labels = line.substring(NAME.length(), labelsEnd);
                if (labels.contains("area=\"heap\"")) {
                    String value = line.substring(labelsEnd + 1).strip();
                    int space = value.indexOf(' '); // a timestamp may follow
                    bytes += Double.parseDouble(space < 0 ? value : value.substring(0, space));
                }
            }
        }
        return (long) bytes;
    }
}
