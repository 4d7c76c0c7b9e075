package io.askpipe.common.kafka;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How a service reaches Kafka and how askpipe's topics are laid out.
 *
 * @param bootstrapServers {@code KAFKA_BOOTSTRAP_SERVERS}, required
 * @param topicPrefix {@code KAFKA_TOPIC_PREFIX}, prepended to every topic name (default none)
 * @param partitions {@code KAFKA_TOPIC_PARTITIONS}, for topics askpipe creates (default 6)
 * @param replicationFactor {@code KAFKA_REPLICATION_FACTOR}, -1 for the broker's default
 * @param minInsyncReplicas {@code KAFKA_MIN_INSYNC_REPLICAS}, -1 for the broker's default
 * @param groupInstanceId {@code KAFKA_GROUP_INSTANCE_ID}: this process's stable identity in its
 *     consumer groups (static membership), or {@code null} for a dynamic member. A restarted static
 *     member takes its partitions back at once instead of after the session timeout; two live
 *     processes must never share one
 * @param sizes {@code ASK_MAX_BYTES} and the record sizes of every producer, consumer and topic
 *     derived from it
 */
public record KafkaSettings(
        String bootstrapServers,
        String topicPrefix,
        int partitions,
        short replicationFactor,
        int minInsyncReplicas,
        String groupInstanceId,
        AskSizes sizes) {

    public static final Setting<String> BOOTSTRAP_SERVERS =
            Setting.text("KAFKA_BOOTSTRAP_SERVERS").required().doc("Kafka `bootstrap.servers`");
    public static final Setting<String> TOPIC_PREFIX = Setting.text("KAFKA_TOPIC_PREFIX")
            .defaultsTo("")
            .doc("prepended to every topic name; letters, digits, `.`, `_`, `-`");
    public static final Setting<Integer> PARTITIONS = Setting.integer("KAFKA_TOPIC_PARTITIONS", 1, 10_000)
            .defaultsTo("6")
            .doc("partitions of the topics askpipe creates");
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.integer("KAFKA_REPLICATION_FACTOR", -1, 32)
            .defaultsTo("-1")
            .doc("replication factor of the topics askpipe creates; -1 for the broker's default");
    public static final Setting<Integer> MIN_INSYNC_REPLICAS = Setting.integer("KAFKA_MIN_INSYNC_REPLICAS", -1, 32)
            .defaultsTo("-1")
            .doc("`min.insync.replicas` of the topics askpipe creates; -1 for the broker's default");
    public static final Setting<String> GROUP_INSTANCE_ID = Setting.text("KAFKA_GROUP_INSTANCE_ID")
            .doc("this process's stable identity in its consumer groups (static membership)");

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new ConfigException("KAFKA_BOOTSTRAP_SERVERS is required but not set");
        }
        if (topicPrefix == null || !topicPrefix.matches("[A-Za-z0-9._-]*")) {
            throw new ConfigException("KAFKA_TOPIC_PREFIX may hold only letters, digits, '.', '_' and '-'");
        }
        if (groupInstanceId != null && !groupInstanceId.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new ConfigException("KAFKA_GROUP_INSTANCE_ID may hold only letters, digits, '.', '_' and '-'");
        }
        Objects.requireNonNull(sizes, "sizes");
    }

    /** With the sizes of a deployment that sets no {@code ASK_MAX_BYTES}. */
    public KafkaSettings(
            String bootstrapServers,
            String topicPrefix,
            int partitions,
            short replicationFactor,
            int minInsyncReplicas,
            String groupInstanceId) {
        this(
                bootstrapServers,
                topicPrefix,
                partitions,
                replicationFactor,
                minInsyncReplicas,
                groupInstanceId,
                AskSizes.DEFAULTS);
    }

    /** Reads the settings from the environment. */
    public static KafkaSettings fromEnv(Env env) {
        return new KafkaSettings(
                env.get(BOOTSTRAP_SERVERS),
                env.get(TOPIC_PREFIX),
                env.get(PARTITIONS),
                env.get(REPLICATION_FACTOR).shortValue(),
                env.get(MIN_INSYNC_REPLICAS),
                env.find(GROUP_INSTANCE_ID).orElse(null),
                AskSizes.fromEnv(env));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                List.of(
                        BOOTSTRAP_SERVERS,
                        TOPIC_PREFIX,
                        PARTITIONS,
                        REPLICATION_FACTOR,
                        MIN_INSYNC_REPLICAS,
                        GROUP_INSTANCE_ID),
                AskSizes.settings());
    }

    /** Settings for a single local broker: the given address, no prefix, 3 partitions. */
    public static KafkaSettings local(String bootstrapServers, String topicPrefix) {
        return new KafkaSettings(bootstrapServers, topicPrefix, 3, (short) -1, -1, null);
    }

    /**
     * The consumer's {@code group.instance.id} when this process has a stable identity, else
     * nothing; {@code role} tells apart the groups one process may join (e.g. {@code router}).
     */
    public Map<String, Object> staticMembership(String role) {
        return groupInstanceId == null
                ? Map.of()
                : Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId + "-" + role);
    }

    /** The topic registry with this deployment's prefix. */
    public Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }

    /**
     * Properties of a producer whose writes are durable once acknowledged: {@code acks=all},
     * idempotent (a retried send is written once), a 1 ms linger for batching, lz4, and requests
     * large enough for any of askpipe's records ({@link AskSizes#producerProperties()}).
     */
    public Map<String, Object> acknowledgedProducerProperties(String clientId) {
        Map<String, Object> props = clientProperties(clientId);
        props.putAll(sizes.producerProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return props;
    }

    /**
     * Properties of a consumer of askpipe's topics: fetches large enough for any of its records
     * ({@link AskSizes#consumerProperties()}); the group and the rest are the caller's.
     */
    public Map<String, Object> consumerProperties(String clientId) {
        Map<String, Object> props = clientProperties(clientId);
        props.putAll(sizes.consumerProperties());
        return props;
    }

    /** Client properties every producer, consumer and admin client starts from. */
    public Map<String, Object> clientProperties(String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return props;
    }
}
