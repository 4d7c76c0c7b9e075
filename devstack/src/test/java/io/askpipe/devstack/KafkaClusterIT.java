package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.embedded.Directories;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.KafkaCluster;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline on a real three-node KRaft cluster, every node its own JVM, with askpipe's topics at
 * replication factor 3 and {@code min.insync.replicas=2}: one node is killed with {@code kill -9} in
 * the middle of a stream of asks, and every ask answered 202 still reaches exactly one terminal
 * result. Asks the outage turned away (503 while leaders moved) are retried with their
 * Idempotency-Key, as a client would, and converge on one ask each. Then the killed node comes
 * back and catches up.
 *
 * <p>Runs in every build; on its own with {@code -Dgroups=cluster} (README, "Run the tests"). The
 * nodes' output stays in a temporary directory when the test fails.
 */
@Tag("cluster")
class KafkaClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterIT.class);
    private static final int ASKS = 600;
    private static final Duration ARRIVAL_GAP = Duration.ofMillis(20);
    private static final int KILL_AFTER_ACCEPTED = 150;

    private Path dir;
    private KafkaCluster cluster;
    private boolean failed = true;

    @BeforeEach
    void startCluster() throws IOException {
        dir = Files.createTempDirectory("askpipe-cluster-");
        cluster = KafkaCluster.start(3, dir.resolve("kafka"));
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (failed) {
            System.err.println("the Kafka nodes' output is kept in " + dir);
        } else {
            Directories.deleteRecursively(dir);
        }
    }

    @Test
    void killMinus9OfABrokerMidStreamLosesNoAcceptedAsk() throws Exception {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String jdbcUrl = pg.createDatabase(SharedInfrastructure.uniqueName("cluster"));
        Topics topics = Topics.ofDefaults();
        Map<String, String> env = new HashMap<>(Map.of(
                "HTTP_PORT", "0",
                "KAFKA_TOPIC_PARTITIONS", "6",
                "KAFKA_REPLICATION_FACTOR", "3",
                "KAFKA_MIN_INSYNC_REPLICAS", "2",
                "DRYRUN_LATENCY_MS", "20"));
        try (DevStack stack = DevStack.start(env, cluster.bootstrapServers(), jdbcUrl, pg.user(), pg.password());
                Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            assertTopicsSurviveOneNode(admin, topics);
            URI base = URI.create(stack.clientUrl());
            String key = stack.issueDevKey().secret();
            AskClient asks = new AskClient(base, "cluster", Duration.ofSeconds(30));

            // the node to kill: the router group's coordinator, which also leads some partitions
            AtomicInteger victim = new AtomicInteger();
            Map<Integer, String> accepted = new ConcurrentHashMap<>();
            Set<Integer> turnedAway = ConcurrentHashMap.newKeySet();
            AtomicLong killedAt = new AtomicLong();
            Map<String, Integer> reasons = new ConcurrentHashMap<>();
            AtomicLong lastTurnedAway = new AtomicLong();
            AtomicInteger acceptedCount = new AtomicInteger();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> stream = new ArrayList<>();
                for (int i = 0; i < ASKS; i++) {
                    int n = i;
                    stream.add(clients.submit(() -> {
                        try {
                            HttpResponse<String> response = asks.submit(key, n);
                            if (response.statusCode() == 202) {
                                accepted.put(n, AskClient.requestId(response));
                                if (acceptedCount.incrementAndGet() == KILL_AFTER_ACCEPTED) {
                                    victim.set(routerCoordinator(admin));
                                    cluster.kill(victim.get());
                                    killedAt.set(System.nanoTime());
                                }
                            } else {
                                assertThat(response.statusCode())
                                        .as("ask %d: %s", n, response.body())
                                        .isEqualTo(503);
                                turnedAway.add(n);
                                reasons.merge(
                                        response.statusCode() + " "
                                                + AskClient.json(response)
                                                        .path("type")
                                                        .asText(),
                                        1,
                                        Integer::sum);
                                lastTurnedAway.accumulateAndGet(System.nanoTime(), Math::max);
                            }
                        } catch (IOException | InterruptedException e) {
                            turnedAway.add(n);
                            reasons.merge(e.toString(), 1, Integer::sum);
                            lastTurnedAway.accumulateAndGet(System.nanoTime(), Math::max);
                        }
                        return null;
                    }));
                    Thread.sleep(ARRIVAL_GAP); // open loop: the next ask does not wait for this one
                }
                for (Future<?> f : stream) {
                    f.get();
                }
            }
            assertThat(victim.get()).as("a node was killed mid-stream").isPositive();
            assertThat(cluster.isRunning(victim.get())).isFalse();
            assertThat(accepted.size()).as("asks accepted after the kill").isGreaterThan(KILL_AFTER_ACCEPTED);
            LOG.info(
                    "node {} killed after {} asks accepted; of {} asks, {} accepted at once, {} turned away,"
                            + " the last {} ms after the kill",
                    victim.get(),
                    KILL_AFTER_ACCEPTED,
                    ASKS,
                    accepted.size(),
                    turnedAway.size(),
                    turnedAway.isEmpty() ? 0 : TimeUnit.NANOSECONDS.toMillis(lastTurnedAway.get() - killedAt.get()));
            LOG.info("turned away: {}", reasons);

            // a client retries what was turned away, with the same Idempotency-Key
            for (int n : turnedAway) {
                HttpResponse<String> retry = await().atMost(Duration.ofSeconds(60))
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(250))
                        .ignoreExceptions()
                        .until(() -> asks.submit(key, n), r -> r.statusCode() == 202);
                accepted.put(n, AskClient.requestId(retry));
            }
            assertThat(accepted).hasSize(ASKS);

            // every accepted ask reaches a terminal result, on two nodes of three
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> AskClient.terminalRows(jdbcUrl, pg) == ASKS);
            for (var entry : accepted.entrySet()) {
                JsonNode view = AskClient.json(asks.get(key, "/v1/ask/" + entry.getValue()));
                assertThat(view.get("status").asText())
                        .as("ask %d", entry.getKey())
                        .isEqualTo("succeeded");
                assertThat(view.get("result").get("req_id").asText()).isEqualTo(entry.getValue());
            }
            try (var c = DriverManager.getConnection(jdbcUrl, pg.user(), pg.password());
                    var rs = c.createStatement()
                            .executeQuery("SELECT count(*), count(DISTINCT request_id),"
                                    + " (SELECT count(*) FROM router.results) FROM store.asks")) {
                rs.next();
                assertThat(rs.getInt(1)).as("one row per accepted ask").isEqualTo(ASKS);
                assertThat(rs.getInt(2)).isEqualTo(ASKS);
                assertThat(rs.getInt(3)).as("one kept result per ask").isEqualTo(ASKS);
            }
            // a result published more than once (a send retried across the leader change) is one
            // and the same result
            Map<String, Set<String>> results = committedValues(topics.results().name());
            assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(accepted.values());
            assertThat(results.values()).allSatisfy(values -> assertThat(values).hasSize(1));
            assertThat(committedValues(topics.requestsDeadLetter().name()))
                    .as("nothing dead-lettered")
                    .isEmpty();
            assertThat(committedValues(topics.storeDeadLetter().name()))
                    .as("nothing dead-lettered")
                    .isEmpty();

            // the killed node comes back on its data and every replica is in sync again
            cluster.restart(victim.get());
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> underReplicated(admin, topics).isEmpty());
        }
        failed = false;
    }

    /** Every askpipe topic is replicated to all three nodes and needs two in sync for a write. */
    private static void assertTopicsSurviveOneNode(Admin admin, Topics topics) throws Exception {
        List<String> names = topics.all().stream().map(t -> t.name()).toList();
        Map<String, TopicDescription> described =
                admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        for (TopicDescription topic : described.values()) {
            assertThat(topic.partitions())
                    .as(topic.name())
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        }
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                .toList();
        admin.describeConfigs(resources)
                .all()
                .get(30, TimeUnit.SECONDS)
                .forEach((resource, config) -> assertThat(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
                                .value())
                        .as(resource.name())
                        .isEqualTo("2"));
    }

    private static int routerCoordinator(Admin admin) throws Exception {
        return admin.describeConsumerGroups(List.of("askpipe-router"))
                .all()
                .get(10, TimeUnit.SECONDS)
                .get("askpipe-router")
                .coordinator()
                .id();
    }

    /** The partitions of askpipe's topics with fewer than three replicas in sync. */
    private static List<TopicPartitionInfo> underReplicated(Admin admin, Topics topics) throws Exception {
        return admin
                .describeTopics(topics.all().stream().map(t -> t.name()).toList())
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .values()
                .stream()
                .flatMap(t -> t.partitions().stream())
                .filter(p -> p.isr().size() < 3)
                .toList();
    }

    /** Every committed value of {@code topic}, by key. */
    private Map<String, Set<String>> committedValues(String topic) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, Set<String>> values = new HashMap<>();
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("read %s to its end", topic).isLessThan(deadline);
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    values.computeIfAbsent(String.valueOf(record.key()), k -> ConcurrentHashMap.newKeySet())
                            .add(record.value());
                }
            }
        }
        return values;
    }
}
