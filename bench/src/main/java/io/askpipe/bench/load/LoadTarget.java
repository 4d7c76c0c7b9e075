package io.askpipe.bench.load;

import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The targets of the performance work, as data: each names what the summary table's row measures
 * and how (the row's label, filled in with the run's figures), and the threshold the table gives
 * beside it. The load generator reports; it does not judge.
 */
enum LoadTarget {
    IDLE_SUBMIT_TO_RESULT("submit to result visible at %d asks/s on an otherwise idle stack (%d s)", "p50 <= 10 ms"),
    INGEST_PEAK_HELLO("ingest `POST /v1/ask` peak (%d in flight)", ">= 0.25x"),
    INGEST_PEAK_DURABLE(
            "ingest `POST /v1/ask` peak (%d in flight) against the same durable work without HTTP"
                    + " (ledger claim, `acks=all` publish, ledger mark)",
            ">= 0.5x"),
    INGEST_SUBMIT_LATENCY("ingest submit latency at half the peak (%d asks/s)", "p99 <= 5 ms"),
    ROUTER_OVERHEAD("router overhead at %d asks/s (fetched to result acknowledged, dryrun 0 ms)", "p99 <= 1 ms"),
    SUBMIT_TO_RESULT("submit to result visible at %d asks/s", "p50 <= 10 ms, p99 <= 50 ms"),
    COMPLETED_ASKS("completed asks/s, %d asks/s offered for %d s", ">= 5,000 asks/s"),
    /** The CPU time per ask that the machine's cores leave at the completed-asks target; filled in with its parts. */
    CPU_PER_ASK(
            "CPU per completed ask (the completed-asks phase), %s",
            cores -> String.format("5,000 asks/s on %d cores leave %.2f ms in all", cores, 1000.0 * cores / 5000)),
    /** Filled in with its parts. */
    MEMORY("memory (proportional set size), %s (peak)", "<= 1.5 GB with broker and database");

    private final String measure;
    private final IntFunction<String> threshold;

    LoadTarget(String measure, String threshold) {
        this(measure, cores -> threshold);
    }

    LoadTarget(String measure, IntFunction<String> threshold) {
        this.measure = measure;
        this.threshold = threshold;
    }

    /** What the row measures and how, with the run's rates and durations filled in. */
    String measure(Object... figures) {
        return String.format(Locale.ROOT, measure, figures);
    }

    /** The threshold, on a machine of {@code cores} cores. */
    String threshold(int cores) {
        return threshold.apply(cores);
    }
}
