package io.askpipe.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The production logback.xml, its variables, and the fields a log line carries. */
class LoggingTest {

    @Test
    void jsonLinesCarryServiceRequestIdAndTraceAndNoMore() throws Exception {
        List<JsonNode> lines = logWithProductionConfig(context -> {
            var asks = context.getLogger("io.askpipe.router.asks");
            try (var log = LogContext.of("request_id", "r-1", "traceparent", "00-abc", "backend", null)) {
                asks.info("ask answered: {}", "succeeded");
            }
            context.getLogger("io.askpipe.store.AskWriter").warn("outside any ask", new IllegalStateException("boom"));
        });

        assertThat(lines).hasSize(2);
        JsonNode answered = lines.get(0);
        assertThat(answered.get("message").asText()).isEqualTo("ask answered: succeeded");
        assertThat(answered.get("level").asText()).isEqualTo("INFO");
        assertThat(answered.get("service").asText()).isEqualTo("router-worker");
        assertThat(answered.get("request_id").asText()).isEqualTo("r-1");
        assertThat(answered.get("traceparent").asText()).isEqualTo("00-abc");
        assertThat(answered.has("backend")).as("a null field is left out").isFalse();
        assertThat(answered.get("timestamp").asText()).endsWith("Z");
        JsonNode warned = lines.get(1);
        assertThat(warned.get("service").asText()).isEqualTo("result-store");
        assertThat(warned.has("request_id"))
                .as("the context ended with its block")
                .isFalse();
        assertThat(warned.get("stack_trace").asText()).contains("IllegalStateException: boom");
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void aLibraryLineNamesTheProcessService() throws Exception {
        ServiceJsonProvider.processService("ingest-api");
        try {
            List<JsonNode> lines = logWithProductionConfig(context ->
                    context.getLogger("org.apache.kafka.clients.Metadata").error("lost the cluster"));
            assertThat(lines.getFirst().get("service").asText()).isEqualTo("ingest-api");
        } finally {
            ServiceJsonProvider.processService(null);
        }
    }

    @Test
    void badLoggingVariablesStopTheProcessWithTheirName() {
        assertThatThrownBy(() -> LogSettings.apply(Env.of(Map.of("LOG_FORMAT", "xml")), "ingest-api"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LOG_FORMAT must be json or text");
        assertThatThrownBy(() -> LogSettings.apply(Env.of(Map.of("LOG_ASKS", "loud")), "ingest-api"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LOG_ASKS");
        LogSettings.apply(Env.of(Map.of("LOG_FORMAT", "text", "LOG_LEVEL", "debug")), "ingest-api");
        ServiceJsonProvider.processService(null);
    }

    /** Configures a fresh logger context from logback.xml and returns what it printed, parsed. */
    private static List<JsonNode> logWithProductionConfig(java.util.function.Consumer<LoggerContext> logging)
            throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter()); // the fields LogContext puts, as in production
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LoggingTest.class.getResource("/logback.xml"));
            logging.accept(context);
        } finally {
            context.stop();
            System.setOut(original);
        }
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(mapper.readTree(line));
            }
        }
        return lines;
    }
}
