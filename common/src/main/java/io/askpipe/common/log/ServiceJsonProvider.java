package io.askpipe.common.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Map;
import net.logstash.logback.composite.AbstractFieldJsonProvider;

/**
 * Adds {@code service} to every JSON log line (logback.xml, {@code LOG_FORMAT=json}): the service
 * whose code logged it, known from the logger's package, so that the all-in-one dev stack tells its
 * three services apart; for a library's line (Kafka, Vert.x, ...), the service this process runs,
 * once its main has said which.
 */
public final class ServiceJsonProvider extends AbstractFieldJsonProvider<ILoggingEvent> {
    private static final Map<String, String> BY_PACKAGE = Map.of(
            "io.askpipe.ingest.", "ingest-api",
            "io.askpipe.router.", "router-worker",
            "io.askpipe.store.", "result-store");
    private static volatile String processService;

    public ServiceJsonProvider() {
        setFieldName("service");
    }

    /** Names the service this process runs, for lines whose logger does not tell. */
    public static void processService(String service) {
        processService = service;
    }

    @Override
    public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
        String service = serviceOf(event.getLoggerName());
        if (service != null) {
            generator.writeStringField(getFieldName(), service);
        }
    }

    static String serviceOf(String loggerName) {
        for (var entry : BY_PACKAGE.entrySet()) {
            if (loggerName.startsWith(entry.getKey())) {
                return entry.getValue();
            }
        }
        return processService;
    }
}
