package io.askpipe.store.sink;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a record of one of the result store's source topics as the {@link AskPart} that topic
 * carries: a request from either request topic, progress, or a result. A record it cannot read, or
 * from a topic it does not know, fails with a {@link SerializationException}, which the {@link
 * GroupWriter} sends to the dead-letter topic. Thread-safe.
 */
final class AskPartDeserializer implements Deserializer<AskPart> {
    private final Map<String, Reader> byTopic = new HashMap<>();

    /** What reads one topic's values into parts. */
    @FunctionalInterface
    private interface Reader {
        AskPart read(String topic, byte[] data);
    }

    AskPartDeserializer(Topics topics) {
        for (Topic<String, AskRequest> requests : topics.allRequests()) {
            byTopic.put(requests.name(), reader(requests, AskPart.Request::new));
        }
        byTopic.put(topics.progress().name(), reader(topics.progress(), AskPart.Progress::new));
        byTopic.put(topics.results().name(), reader(topics.results(), AskPart.Result::new));
    }

    /** The topics it reads: both request topics, {@code ask.progress} and {@code ask.results}. */
    static List<String> sources(Topics topics) {
        List<String> names = new ArrayList<>(topics.allRequestNames());
        names.add(topics.progress().name());
        names.add(topics.results().name());
        return List.copyOf(names);
    }

    private static <V> Reader reader(Topic<String, V> topic, Function<V, AskPart> part) {
        Deserializer<V> values = topic.valueSerde().deserializer();
        return (name, data) -> {
            V value = values.deserialize(name, data);
            if (value == null) {
                throw new SerializationException("record on " + name + " holds JSON null");
            }
            return part.apply(value);
        };
    }

    @Override
    public AskPart deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        Reader reader = byTopic.get(topic);
        if (reader == null) {
            throw new SerializationException("the result store reads no asks from " + topic);
        }
        return reader.read(topic, data);
    }
}
