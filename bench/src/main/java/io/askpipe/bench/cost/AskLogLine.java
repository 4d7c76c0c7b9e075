package io.askpipe.bench.cost;

import io.askpipe.common.log.LogContext;
import io.askpipe.schemas.AskResult;
import org.slf4j.Logger;

/**
 * The router's line for each answered ask, "ask answered", with the ask's request id, trace
 * context and backend as fields, as {@code AskProcessor} logs it, through the services' JSON
 * logging ({@link JsonFileLog}) to a file; one at a time.
 */
final class AskLogLine implements Step {
    static final String LOGGER = "io.askpipe.router.asks";

    private final JsonFileLog log;
    private final Logger asksLog;
    private final Asks asks;
    private long logged;

    AskLogLine(JsonFileLog log, Asks asks) {
        this.log = log;
        this.asksLog = log.logger(LOGGER);
        this.asks = asks;
    }

    @Override
    public Description description() {
        return new Description(
                "9. a structured log line (JSON, to a file)",
                "every hop of an ask can be followed by its request id and trace context",
                "one line, from the call to its return (written and flushed)");
    }

    @Override
    public void run(int first, int count, Timings timings) {
        for (int i = first; i < first + count; i++) {
            var request = asks.request(i);
            AskResult result = asks.result(i);
            long started = System.nanoTime();
            try (var ask = LogContext.of("request_id", request.requestId(), "traceparent", request.traceparent());
                    var backend = LogContext.of("backend", result.backend())) {
                asksLog.info(
                        "ask answered: {} in {} ms after {} backend calls",
                        result.status().wireName(),
                        result.latencyMs(),
                        result.attempts());
            }
            timings.add(System.nanoTime() - started);
        }
        logged += count;
    }

    /** Checks that every line reached the file (outside the measured run: reading it costs CPU). */
    @Override
    public String note() {
        long lines = log.lines();
        if (lines != logged) {
            throw new IllegalStateException(logged + " lines logged, " + lines + " in the file");
        }
        return String.format("%d bytes a line", log.bytes() / Math.max(1, lines));
    }
}
