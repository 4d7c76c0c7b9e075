package io.askpipe.common.kafka;

import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates askpipe's topics from the registry at start-up and checks that existing ones have the
 * cleanup policy the design depends on: a delete-policy {@code ask.requests} would silently lose the
 * replay guarantee, so that is a start-up failure, not a warning. An existing topic whose {@code
 * max.message.bytes} is below what {@code ASK_MAX_BYTES} needs is raised (only ever raised: that
 * loses nothing), and start-up fails, naming the setting, when the broker does not allow it. Safe
 * to run from several processes at once.
 */
public final class TopicProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final long TIMEOUT_SECONDS = 60;

    private TopicProvisioner() {}

    /**
     * {@link #ensure(Admin, Topics, KafkaSettings)} of this deployment's topics, through an Admin
     * client of its own named {@code clientId}.
     */
    public static void ensure(KafkaSettings settings, String clientId) {
        try (Admin admin = Admin.create(settings.clientProperties(clientId))) {
            ensure(admin, settings.topics(), settings);
        }
    }

    /** Creates the missing topics of {@code topics} and verifies the existing ones. */
    public static void ensure(Admin admin, Topics topics, KafkaSettings settings) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> topic : topics.all()) {
                if (!existing.contains(topic.name())) {
                    missing.add(newTopic(topic, settings));
                }
            }
            create(admin, missing);
            verify(admin, topics, settings.sizes());
            awaitLeaders(admin, topics);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while provisioning topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "could not provision topics on " + settings.bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    private static NewTopic newTopic(Topic<?, ?> topic, KafkaSettings settings) {
        Map<String, String> configs = new HashMap<>(topic.configs());
        configs.putAll(settings.sizes().topicConfigs());
        if (settings.minInsyncReplicas() > 0) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(settings.minInsyncReplicas()));
        }
        Optional<Short> replication =
                settings.replicationFactor() > 0 ? Optional.of(settings.replicationFactor()) : Optional.empty();
        return new NewTopic(topic.name(), Optional.of(settings.partitions()), replication).configs(configs);
    }

    private static void create(Admin admin, List<NewTopic> missing)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (missing.isEmpty()) {
            return;
        }
        for (var entry : admin.createTopics(missing).values().entrySet()) {
            try {
                entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                LOG.info("created topic {}", entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // another instance created it first: fine, it is verified below
            }
        }
    }

    /**
     * Describes the topics' configs; a topic created a moment ago may not be known to the broker
     * that answers yet (metadata propagates asynchronously), so that answer is retried briefly.
     */
    private static Map<ConfigResource, Config> describe(Admin admin, List<ConfigResource> resources)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (int attempt = 1; ; attempt++) {
            try {
                return admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == 50) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Waits until every partition has a leader. Right after creation a partition may have none yet,
     * and an idempotent producer that writes to it then can get stuck retrying out-of-order
     * sequences; so no service starts producing before its topics are ready.
     */
    private static void awaitLeaders(Admin admin, Topics topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> names = topics.all().stream().map(Topic::name).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            boolean ready;
            try {
                ready =
                        admin
                                .describeTopics(names)
                                .allTopicNames()
                                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                                .values()
                                .stream()
                                .flatMap(d -> d.partitions().stream())
                                .allMatch(partition -> partition.leader() != null
                                        && !partition.leader().isEmpty());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                ready = false;
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topics " + names + " have partitions without a leader");
            }
            Thread.sleep(50);
        }
    }

    private static void verify(Admin admin, Topics topics, AskSizes sizes)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<ConfigResource, Config> configs =
                describe(admin, resources(topics.all().stream().map(Topic::name).toList()));
        for (Topic<?, ?> topic : topics.all()) {
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
            String actual = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (!actual.equals(topic.cleanupPolicy())) {
                throw new IllegalStateException("topic " + topic.name() + " has cleanup.policy=" + actual
                        + " but askpipe needs " + topic.cleanupPolicy()
                        + "; fix it with kafka-configs.sh --alter before starting");
            }
        }
        raiseRecordSize(admin, configs, sizes);
    }

    private static List<ConfigResource> resources(List<String> names) {
        return names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                .toList();
    }

    /**
     * Waits until the broker that answers serves the raised limit: the change is committed before
     * every broker applied it, and a producer must not meet the old limit once start-up is done.
     */
    private static void awaitRecordSize(Admin admin, ConfigResource topic, int needed)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                Config config = describe(admin, List.of(topic)).get(topic);
                if (Integer.parseInt(
                                config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
                        >= needed) {
                    return;
                }
            } catch (ExecutionException e) {
                // asked again below, until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("max.message.bytes of topic " + topic.name() + " was raised to " + needed
                        + " but the broker does not show it yet");
            }
            Thread.sleep(50);
        }
    }

    /** Raises every topic of {@code configs} whose {@code max.message.bytes} is below what {@code sizes} needs. */
    private static void raiseRecordSize(Admin admin, Map<ConfigResource, Config> configs, AskSizes sizes)
            throws InterruptedException, TimeoutException {
        int needed = sizes.recordMaxBytes();
        for (var entry : configs.entrySet()) {
            String topic = entry.getKey().name();
            int actual = Integer.parseInt(
                    entry.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
            if (actual >= needed) {
                continue;
            }
            AlterConfigOp raise = new AlterConfigOp(
                    new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(needed)),
                    AlterConfigOp.OpType.SET);
            try {
                admin.incrementalAlterConfigs(Map.of(entry.getKey(), List.of(raise)))
                        .all()
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "topic " + topic + " takes records of at most " + actual
                                + " bytes (max.message.bytes), but ASK_MAX_BYTES=" + sizes.askMaxBytes() + " needs "
                                + needed + ", and raising it failed ("
                                + e.getCause().getMessage()
                                + "); raise it with kafka-configs.sh --alter --entity-type topics --entity-name "
                                + topic
                                + " --add-config max.message.bytes=" + needed + ", or lower ASK_MAX_BYTES",
                        e);
            }
            awaitRecordSize(admin, entry.getKey(), needed);
            LOG.info(
                    "raised max.message.bytes of topic {} from {} to {} for ASK_MAX_BYTES={}",
                    topic,
                    actual,
                    needed,
                    sizes.askMaxBytes());
        }
    }
}
