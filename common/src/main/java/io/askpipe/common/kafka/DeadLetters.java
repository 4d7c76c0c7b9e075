package io.askpipe.common.kafka;

import io.askpipe.schemas.Headers;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Records that could not be read, readdressed to a dead-letter topic with the reason. */
public final class DeadLetters {
    private DeadLetters() {}

    /**
     * {@code record} as it was (key, value and headers) for {@code topic}, with headers that say why
     * it could not be read ({@link Headers#DLQ_ERROR}) and where it was ({@link Headers#DLQ_SOURCE}).
     */
    public static ProducerRecord<byte[], byte[]> letter(
            String topic, ConsumerRecord<String, byte[]> record, Exception error) {
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, key, record.value(), record.headers());
        out.headers().add(Headers.DLQ_ERROR, String.valueOf(error.getMessage()).getBytes(StandardCharsets.UTF_8));
        out.headers().add(Headers.DLQ_SOURCE, source(record).getBytes(StandardCharsets.UTF_8));
        return out;
    }

    /** Where {@code record} was: {@code topic-partition@offset}. */
    public static String source(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
