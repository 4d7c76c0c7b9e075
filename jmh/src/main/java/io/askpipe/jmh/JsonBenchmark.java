package io.askpipe.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.askpipe.schemas.JsonSerde;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Kafka serdes of the messages every ask passes through: {@link JsonSerde} over {@code
 * Json.mapper()}, as producers and consumers call it, on {@link Payloads}' ask. {@code AskRequest}
 * is written once by ingest and read by the router and the result store; {@code AskResult} is
 * written by the router and read by the result store, which joins the two in PostgreSQL.
 *
 * <p>Baseline: the same JSON through a plain {@link ObjectMapper} as an untyped tree (read: parse
 * the bytes into a {@link JsonNode}; write: the already built tree to bytes). It is Jackson's own
 * cost for the same tokens without binding them to records, so the ratio is what the typed
 * mapping (record constructors and their checks, snake_case names, ISO-8601 instants) adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JsonBenchmark {
    private static final ObjectMapper PLAIN = new ObjectMapper();

    @Param({"AskRequest", "AskResult"})
    public String message;

    private String topic;
    private JsonSerde<Object> serde;
    private Object value;
    private byte[] json;
    private JsonNode tree;

    @Setup
    public void setUp() throws IOException {
        topic = switch (message) {
            case "AskRequest" -> "ask.requests";
            case "AskResult" -> "ask.results";
            default -> throw new IllegalArgumentException("no such message: " + message);
        };
        value = switch (message) {
            case "AskRequest" -> Payloads.request();
            default -> Payloads.result();
        };
        @SuppressWarnings("unchecked")
        JsonSerde<Object> typed = (JsonSerde<Object>) JsonSerde.of(value.getClass());
        serde = typed;
        json = serde.serialize(topic, value);
        tree = PLAIN.readTree(json);
    }

    /** The message as a producer writes it. */
    @Benchmark
    public byte[] serialize() {
        return serde.serialize(topic, value);
    }

    /** The message as a consumer reads it. */
    @Benchmark
    public Object deserialize() {
        return serde.deserialize(topic, json);
    }

    /** Baseline of {@link #serialize()}: the same JSON written from an untyped tree. */
    @Benchmark
    public byte[] serializeTreeBaseline() throws IOException {
        return PLAIN.writeValueAsBytes(tree);
    }

    /** Baseline of {@link #deserialize()}: the same bytes parsed into an untyped tree. */
    @Benchmark
    public JsonNode deserializeTreeBaseline() throws IOException {
        return PLAIN.readTree(json);
    }

    /** The message this run measures. */
    Object value() {
        return value;
    }

    /** Its JSON. */
    byte[] json() {
        return json.clone();
    }
}
