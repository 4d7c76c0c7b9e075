package io.askpipe.bench.batch;

/**
 * A JVM's heap as its Prometheus scrape tells it: a {@code jvm_memory_*_bytes} gauge of the heap's
 * pools ({@code area="heap"}), summed.
 */
final class HeapMetric {
    /** The heap in use, garbage not yet collected included. */
    static final String USED = "jvm_memory_used_bytes";
    /** The heap the JVM has taken from the system, at most its {@code -Xmx}. */
    static final String COMMITTED = "jvm_memory_committed_bytes";

    private HeapMetric() {}

    /** The sum of {@code gauge} over every heap pool that {@code scrape} (Prometheus's text format) lists; 0 if none. */
    static long heap(String scrape, String gauge) {
        String name = gauge + "{";
        double bytes = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name)) {
                int labelsEnd = line.lastIndexOf('}');
                String labels = line.substring(name.length(), labelsEnd);
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
