package io.askpipe.common.kafka;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How large an ask may be ({@code ASK_MAX_BYTES}, ingest's request body limit) and the size limits
 * of askpipe's Kafka records derived from it, so that an ask ingest accepts can always be published,
 * consumed, joined with its result, stored and delivered (docs/adr/0023).
 *
 * <p>An ask's record holds its body and an envelope around it (ids, the idempotency key, the
 * callback URL, headers, Kafka's record and batch overhead), at most {@link #ENVELOPE_BYTES}; a
 * result's record is held by the router to the same size; the joined record of the result store
 * holds both. The largest of them, {@link #recordMaxBytes()}, is the one limit every producer,
 * consumer and topic of askpipe is given: one number for Kafka, never smaller than what any record
 * needs.
 *
 * @param askMaxBytes {@code ASK_MAX_BYTES}: the largest request body ingest accepts
 */
public record AskSizes(int askMaxBytes) {
    /** The smallest {@code ASK_MAX_BYTES}. */
    public static final int MIN_ASK_BYTES = 1024;
    /**
     * The largest {@code ASK_MAX_BYTES}: 16 MiB, so that a joined record (twice that and its
     * envelopes) stays within the 100 MiB a broker takes in one request ({@code
     * socket.request.max.bytes}), and one string of the body within Jackson's 20 million characters.
     */
    public static final int MAX_ASK_BYTES = 16 * 1024 * 1024;
    /** Room for everything in a record around an ask's body or a result's answer. */
    public static final int ENVELOPE_BYTES = 512 * 1024;

    public static final Setting<Integer> ASK_MAX_BYTES = Setting.integer("ASK_MAX_BYTES", MIN_ASK_BYTES, MAX_ASK_BYTES)
            .defaultsTo("4194304")
            .doc("largest ask: ingest's request body limit (larger is `413`), from which every Kafka record,"
                    + " client and topic size is derived");

    /** The sizes of a deployment that sets nothing. */
    public static final AskSizes DEFAULTS = new AskSizes(ASK_MAX_BYTES.defaultValue());
    /** The sizes of the largest {@code ASK_MAX_BYTES}: what a broker that serves any deployment takes. */
    public static final AskSizes LARGEST = new AskSizes(MAX_ASK_BYTES);

    /** The producer's own {@code buffer.memory} default, kept unless a record needs more. */
    private static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;
    /** The consumer's own {@code fetch.max.bytes} default, kept unless a record needs more. */
    private static final int DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;

    public AskSizes {
        if (askMaxBytes < MIN_ASK_BYTES || askMaxBytes > MAX_ASK_BYTES) {
            throw new ConfigException(ASK_MAX_BYTES.name() + " must be between " + MIN_ASK_BYTES + " and "
                    + MAX_ASK_BYTES + ", got " + askMaxBytes);
        }
    }

    /** Reads {@code ASK_MAX_BYTES}. */
    public static AskSizes fromEnv(Env env) {
        return new AskSizes(env.get(ASK_MAX_BYTES));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(ASK_MAX_BYTES);
    }

    /** The largest record of an ask: on {@code ask.requests}, its dead letters and the store's repartition topic. */
    public int askRecordBytes() {
        return askMaxBytes + ENVELOPE_BYTES;
    }

    /** The largest record of a result the router publishes; a larger result becomes a failure. */
    public int resultRecordBytes() {
        return askMaxBytes + ENVELOPE_BYTES;
    }

    /**
     * The largest record on any of askpipe's topics, a joined ask (an ask and its result): every
     * producer's {@code max.request.size}, every consumer's fetch size and every topic's {@code
     * max.message.bytes}.
     */
    public int recordMaxBytes() {
        return askRecordBytes() + resultRecordBytes();
    }

    /** {@code max.request.size}, and {@code buffer.memory} where a record needs more than the default. */
    public Map<String, Object> producerProperties() {
        return Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                recordMaxBytes(),
                ProducerConfig.BUFFER_MEMORY_CONFIG,
                Math.max(DEFAULT_BUFFER_MEMORY, recordMaxBytes()));
    }

    /** {@code max.partition.fetch.bytes}, and {@code fetch.max.bytes} where a record needs more than the default. */
    public Map<String, Object> consumerProperties() {
        return Map.of(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                recordMaxBytes(),
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                Math.max(DEFAULT_FETCH_MAX_BYTES, recordMaxBytes()));
    }

    /** {@code max.message.bytes} of a topic. */
    public Map<String, String> topicConfigs() {
        return Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(recordMaxBytes()));
    }
}
