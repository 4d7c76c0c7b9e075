package io.askpipe.bench.cost;

import io.askpipe.schemas.Topic;
import java.util.function.IntFunction;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One message of each ask written as JSON and read back by its topic's serde ({@code
 * io.askpipe.schemas.Topics}), as a producer and a consumer of that topic do; one at a time.
 *
 * @param <T> the message
 */
final class JsonRoundTrip<T> implements Step {
    private final String label;
    private final Topic<String, T> topic;
    private final IntFunction<T> message;
    private final Serializer<T> serializer;
    private final Deserializer<T> deserializer;
    /** The bytes written in the last run, which also keeps the work from being optimized away. */
    private long bytes;

    private int messages;

    /**
     * @param label how the step is named in the table
     * @param message the message of ask {@code i}
     */
    JsonRoundTrip(String label, Topic<String, T> topic, IntFunction<T> message) {
        this.label = label;
        this.topic = topic;
        this.message = message;
        this.serializer = topic.valueSerde().serializer();
        this.deserializer = topic.valueSerde().deserializer();
    }

    @Override
    public Description description() {
        return new Description(
                label,
                "messages travel as versioned JSON: a replay of an old topic still reads",
                "one message, written and read back");
    }

    @Override
    public void run(int first, int count, Timings timings) {
        bytes = 0;
        messages = count;
        for (int i = first; i < first + count; i++) {
            T value = message.apply(i);
            long started = System.nanoTime();
            byte[] json = serializer.serialize(topic.name(), value);
            T read = deserializer.deserialize(topic.name(), json);
            timings.add(System.nanoTime() - started);
            if (read == null) {
                throw new IllegalStateException(label + ": a message did not read back");
            }
            bytes += json.length;
        }
    }

    @Override
    public String note() {
        return String.format("%d bytes of JSON a message", bytes / Math.max(1, messages));
    }
}
