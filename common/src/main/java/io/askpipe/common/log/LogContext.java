package io.askpipe.common.log;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * Fields every log line of this thread carries until {@link #close()}: {@code request_id}, {@code
 * backend}, {@code traceparent}. In JSON logs each is a field of its own; in text logs they come
 * before the message as {@code key="value"}, escaped ({@link LogText}). A {@code null} value is
 * left out.
 */
public final class LogContext implements AutoCloseable {
    private final List<String> keys;

    private LogContext(List<String> keys) {
        this.keys = keys;
    }

    /** Puts {@code keysAndValues} (key, value, key, value, ...) into the thread's context. */
    public static LogContext of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        List<String> keys = new ArrayList<>(keysAndValues.length / 2);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                MDC.put(keysAndValues[i], keysAndValues[i + 1]);
                keys.add(keysAndValues[i]);
            }
        }
        return new LogContext(keys);
    }

    /** Takes the fields out again. */
    @Override
    public void close() {
        keys.forEach(MDC::remove);
    }
}
