package io.askpipe.store.golden;

import java.time.Instant;
import java.util.List;

/**
 * What {@code GET /observability} answers: the golden signals of the whole deployment, computed from
 * the asks every result-store instance shares.
 *
 * @param generatedAt the end of every window
 * @param windows the last 1, 5 and 15 minutes
 */
public record GoldenSignals(Instant generatedAt, List<Window> windows) {

    /**
     * Asks that finished within the last {@code seconds}, by the backend that answered (or failed).
     *
     * @param window {@code 1m}, {@code 5m} or {@code 15m}
     * @param asks finished asks, all backends
     * @param failed of them, failed
     * @param timeoutBreaches of them, failed with error type {@code timeout}
     */
    record Window(String window, long seconds, long asks, long failed, long timeoutBreaches, List<Backend> backends) {}

    /**
     * @param p95LatencyMs the 95th percentile of the asks' backend time (calls and retries), linear
     *     between the two nearest values
     * @param errorRate failed / asks
     * @param errors the failures by error type, each with its share of the backend's asks
     * @param p95WaitMs the 95th percentile of the time the asks waited for permits of the provider
     *     limits ({@code waited_ms}; 0 for an ask that did not wait)
     * @param waitedShare the share of the asks that waited for a permit at all
     */
    record Backend(
            String backend,
            long asks,
            double p95LatencyMs,
            long failed,
            double errorRate,
            long timeoutBreaches,
            List<ErrorCount> errors,
            double p95WaitMs,
            double waitedShare) {}

    record ErrorCount(String type, long count, double rate) {}
}
