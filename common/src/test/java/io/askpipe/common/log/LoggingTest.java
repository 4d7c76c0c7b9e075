package io.askpipe.common.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
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
            context.getLogger("io.askpipe.store.sink.AskWriter")
                    .warn("outside any ask", new IllegalStateException("boom"));
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

    /** A request's value with a line break and a forged line after it. */
    private static final String FORGERY = "k-1\r\n2026-12-02T00:00:00.000Z INFO  [main] i.a.ingest.asks - ask accepted"
            + " request_id=\"forged\"\u2028forged\u0085forged";

    @Test
    void aTextLineCannotBeForgedByWhatItLogs() {
        String text = logWithProductionConfig("text", context -> {
            var asks = context.getLogger("io.askpipe.ingest.asks");
            try (var log = LogContext.of("request_id", "r-1", "traceparent", FORGERY)) {
                asks.info("Idempotency-Key {} refused", FORGERY);
                asks.warn("cannot publish", new IllegalStateException(FORGERY, new RuntimeException(FORGERY)));
            }
        });

        List<String> lines = text.lines().toList();
        assertThat(text).doesNotContain("\r").doesNotContain("\u2028").doesNotContain("\u0085");
        assertThat(lines.getFirst())
                .as("the fields before the message, quoted; the message escaped")
                .contains(" request_id=\"r-1\" traceparent=\"k-1\\r\\n2026-12-02T00:00:00.000Z INFO ")
                .contains(" ask accepted request_id=\\\"forged\\\"\\u2028forged\\u0085forged\"")
                .endsWith(" - Idempotency-Key k-1\\r\\n2026-12-02T00:00:00.000Z INFO  [main] i.a.ingest.asks"
                        + " - ask accepted request_id=\"forged\"\\u2028forged\\u0085forged refused");
        assertThat(lines)
                .as("one line per event, and for the exception its messages and a frame per line")
                .filteredOn(line -> !line.startsWith("\tat ") && !line.startsWith("\t... "))
                .hasSize(4)
                .satisfies(l -> assertThat(l.get(1)).contains(" WARN ").endsWith(" - cannot publish"))
                .satisfies(l -> assertThat(l.get(2)).startsWith("java.lang.IllegalStateException: k-1\\r\\n2026"))
                .satisfies(l -> assertThat(l.get(3)).startsWith("Caused by: java.lang.RuntimeException: k-1\\r\\n"));
        assertThat(lines).noneMatch(line -> line.startsWith("2026-12-02T00:00:00") || line.startsWith("forged"));
    }

    @Test
    void aJsonLineCannotBeForgedByWhatItLogs() throws Exception {
        List<JsonNode> lines = logWithProductionConfig(context -> {
            var asks = context.getLogger("io.askpipe.ingest.asks");
            try (var log = LogContext.of("request_id", "r-1", "traceparent", FORGERY)) {
                asks.info("Idempotency-Key {} refused", FORGERY);
                asks.warn("cannot publish", new IllegalStateException(FORGERY));
            }
        });

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("message").asText()).isEqualTo("Idempotency-Key " + FORGERY + " refused");
        assertThat(lines.get(0).get("traceparent").asText()).isEqualTo(FORGERY);
        assertThat(lines.get(0).get("request_id").asText()).isEqualTo("r-1");
        assertThat(lines.get(1).get("stack_trace").asText()).startsWith("java.lang.IllegalStateException: " + FORGERY);
    }

    @Test
    void escapingLeavesOrdinaryTextAloneAndEscapesWhatCouldBreakALine() {
        assertThat(LogText.escape("ask accepted for user u-1: \"gpt-4o\" \\ caf\u00e9 \ud83d\ude00"))
                .isEqualTo("ask accepted for user u-1: \"gpt-4o\" \\ caf\u00e9 \ud83d\ude00");
        assertThat(LogText.escape("a\nb\rc\td\u0000e\u001bf\u007fg\u0085h\u2028i\u2029j\u202ek"))
                .isEqualTo("a\\nb\\rc\\td\\u0000e\\u001bf\\u007fg\\u0085h\\u2028i\\u2029j\\u202ek");
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
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logWithProductionConfig("json", logging).split("\n")) {
            if (!line.isBlank()) {
                lines.add(mapper.readTree(line));
            }
        }
        return lines;
    }

    /** Configures a fresh logger context from logback.xml in {@code format} and returns what it printed. */
    private static String logWithProductionConfig(String format, java.util.function.Consumer<LoggerContext> logging) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter()); // the fields LogContext puts, as in production
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            context.putProperty("LOG_FORMAT", format);
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LoggingTest.class.getResource("/logback.xml"));
            logging.accept(context);
        } catch (ch.qos.logback.core.joran.spi.JoranException e) {
            throw new AssertionError(e);
        } finally {
            context.stop();
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
