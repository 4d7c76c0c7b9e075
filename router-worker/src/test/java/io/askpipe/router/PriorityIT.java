package io.askpipe.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.common.service.Startup;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.ScriptedBackend;
import io.askpipe.router.route.BackendRegistry;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Interactive and batch asks through one worker on the real embedded broker and database. */
class PriorityIT {
    private KafkaSettings kafka;
    private DatabaseSettings database;
    private Topics topics;
    private KafkaProducer<String, byte[]> producer;
    private final List<RouterService> services = new CopyOnWriteArrayList<>();
    private final List<Future<RecordMetadata>> sent = new ArrayList<>();

    /** Backend calls by request id; batch calls in flight now and at most. */
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    private final Set<String> batchIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger batchInFlight = new AtomicInteger();
    private final AtomicInteger mostBatchInFlight = new AtomicInteger();

    @BeforeEach
    void setUp() {
        String name = SharedInfrastructure.uniqueName("priority");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        topics = kafka.topics();
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        Map<String, Object> props = kafka.clientProperties("it");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        TopicProvisioner.ensure(kafka, "it-admin");
    }

    @AfterEach
    void tearDown() {
        services.forEach(RouterService::close);
        producer.close();
    }

    /** A backend that answers after {@code latency}, counting calls and the batch ones in flight. */
    private ScriptedBackend slowBackend(Duration latency) {
        return new ScriptedBackend("dryrun", call -> {
            calls.computeIfAbsent(call.requestId(), id -> new AtomicInteger()).incrementAndGet();
            boolean batch = batchIds.contains(call.requestId());
            if (batch) {
                mostBatchInFlight.accumulateAndGet(batchInFlight.incrementAndGet(), Math::max);
            }
            try {
                Thread.sleep(latency);
            } finally {
                if (batch) {
                    batchInFlight.decrementAndGet();
                }
            }
            return new BackendOutcome.Completed("dryrun-echo", "[dryrun] " + call.prompt(), Usage.of(1, 2));
        });
    }

    private RouterService startWorker(ScriptedBackend backend, int maxInFlight) {
        RouterConfig config = RouterConfig.local(
                kafka,
                database,
                Map.of(
                        "ROUTER_GROUP_ID", group(),
                        "ROUTER_MAX_IN_FLIGHT", String.valueOf(maxInFlight),
                        "ROUTER_SHUTDOWN_GRACE_MS", "2000"));
        RouterService service = RouterService.start(
                config,
                new SimpleMeterRegistry(),
                Startup.defaults("router-worker"),
                FaultInjector.NONE,
                BackendRegistry.builder()
                        .available(backend, Duration.ofSeconds(10))
                        .build());
        services.add(service);
        return service;
    }

    private String group() {
        return kafka.topicPrefix() + "router";
    }

    /** Submits {@code count} asks of {@code priority} to their topic; returns their ids in order. */
    private List<String> submit(Priority priority, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AskRequest ask = new AskRequest(
                            UUID.randomUUID().toString(),
                            "u1",
                            priority.wireName() + "-" + UUID.randomUUID(),
                            priority.wireName() + " " + i,
                            null,
                            null,
                            Instant.now())
                    .withPriority(priority);
            if (priority == Priority.BATCH) {
                batchIds.add(ask.requestId());
            }
            ids.add(ask.requestId());
            var topic = topics.requests(priority);
            byte[] json = topic.valueSerde().serializer().serialize(topic.name(), ask);
            sent.add(producer.send(new ProducerRecord<>(topic.name(), ask.requestId(), json)));
        }
        producer.flush();
        for (Future<RecordMetadata> future : sent) {
            future.get(30, TimeUnit.SECONDS);
        }
        return ids;
    }

    @Test
    void interactiveAsksSubmittedDuringABatchBacklogAreAnsweredBeforeTheBacklogIsDone() throws Exception {
        // 18 batch slots of 20 at 200 ms a call: the backlog takes about seven seconds
        int maxInFlight = 20;
        List<String> batch = submit(Priority.BATCH, 600);
        startWorker(slowBackend(Duration.ofMillis(200)), maxInFlight);
        await().atMost(Duration.ofSeconds(60)).until(() -> calls.size() >= 50);

        List<String> interactive = submit(Priority.INTERACTIVE, 30);

        Map<String, AskResult> results = resultsOf(union(batch, interactive));
        assertThat(results).hasSize(batch.size() + interactive.size());
        assertThat(results.values()).allSatisfy(r -> assertThat(r.status()).isEqualTo(AskStatus.SUCCEEDED));
        Instant lastInteractive = interactive.stream()
                .map(id -> results.get(id).completedAt())
                .max(Comparator.naturalOrder())
                .orElseThrow();
        long batchAfter = batch.stream()
                .filter(id -> results.get(id).completedAt().isAfter(lastInteractive))
                .count();
        assertThat(batchAfter)
                .as("batch asks still to answer when the last interactive one was answered")
                .isGreaterThanOrEqualTo(200);
        assertThat(mostBatchInFlight.get())
                .as("batch asks leave the interactive reserve free")
                .isLessThanOrEqualTo(18)
                .isGreaterThanOrEqualTo(10);
        assertThat(calls).allSatisfy((id, n) -> assertThat(n).hasValue(1));
        awaitCommittedToTheEnd();
    }

    @Test
    void batchAsksKeepTheirShareWhileInteractiveAsksWait() throws Exception {
        // both backlogs wait from the start: interactive asks come first, batch ones keep one start in ten
        List<String> interactive = submit(Priority.INTERACTIVE, 400);
        List<String> batch = submit(Priority.BATCH, 100);
        startWorker(slowBackend(Duration.ofMillis(30)), 10);

        Map<String, AskResult> results = resultsOf(union(batch, interactive));
        assertThat(results).hasSize(batch.size() + interactive.size());
        Instant lastInteractive = interactive.stream()
                .map(id -> results.get(id).completedAt())
                .max(Comparator.naturalOrder())
                .orElseThrow();
        long batchBefore = batch.stream()
                .filter(id -> results.get(id).completedAt().isBefore(lastInteractive))
                .count();
        assertThat(batchBefore)
                .as("batch asks answered while interactive ones waited (one start in %d of 400)", Priority.BATCH_ONE_IN)
                .isGreaterThanOrEqualTo(25)
                .as("interactive asks went first")
                .isLessThan(batch.size());
        assertThat(calls).allSatisfy((id, n) -> assertThat(n).hasValue(1));
        awaitCommittedToTheEnd();
    }

    @Test
    void aReplayOfBothTopicsIsAnsweredWithoutBackendCalls() throws Exception {
        List<String> ids = union(submit(Priority.BATCH, 40), submit(Priority.INTERACTIVE, 40));
        RouterService first = startWorker(slowBackend(Duration.ofMillis(5)), 16);
        assertThat(resultsOf(ids)).hasSize(ids.size());
        awaitCommittedToTheEnd();
        first.close();
        services.remove(first);
        int callsBefore = calls.values().stream().mapToInt(AtomicInteger::get).sum();
        long resultsBefore = endOffsets(List.of(topics.results().name()));

        try (Admin admin = Admin.create(kafka.clientProperties("it-replay"))) {
            Map<TopicPartition, OffsetAndMetadata> beginning = new HashMap<>();
            for (String topic : topics.allRequestNames()) {
                offsets(admin, topic, OffsetSpec.earliest())
                        .forEach((partition, offset) -> beginning.put(partition, new OffsetAndMetadata(offset)));
            }
            admin.alterConsumerGroupOffsets(group(), beginning).all().get();
        }
        startWorker(slowBackend(Duration.ofMillis(5)), 16);

        awaitCommittedToTheEnd();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(endOffsets(List.of(topics.results().name())) - resultsBefore)
                                .as("every replayed ask's result published again")
                                .isGreaterThanOrEqualTo(ids.size()));
        assertThat(calls.values().stream().mapToInt(AtomicInteger::get).sum())
                .as("no backend call for an answered ask")
                .isEqualTo(callsBefore);
    }

    private static List<String> union(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Waits until the group's committed offsets reach the end of both topics of asks. */
    private void awaitCommittedToTheEnd() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (Admin admin = Admin.create(kafka.clientProperties("it-offsets"))) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group())
                        .partitionsToOffsetAndMetadata()
                        .get();
                for (String topic : topics.allRequestNames()) {
                    offsets(admin, topic, OffsetSpec.latest()).forEach((partition, end) -> {
                        long at = committed.containsKey(partition)
                                ? committed.get(partition).offset()
                                : 0;
                        assertThat(at).as("committed offset of %s", partition).isEqualTo(end);
                    });
                }
            }
        });
    }

    private long endOffsets(List<String> names) throws Exception {
        long sum = 0;
        try (Admin admin = Admin.create(kafka.clientProperties("it-offsets"))) {
            for (String name : names) {
                sum += offsets(admin, name, OffsetSpec.latest()).values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
            }
        }
        return sum;
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, String topic, OffsetSpec spec) throws Exception {
        int partitions = admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), spec);
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /** The first result of each of {@code ids}, read from {@code ask.results} until all came. */
    private Map<String, AskResult> resultsOf(List<String> ids) {
        Map<String, AskResult> seen = new HashMap<>();
        Set<String> missing = new HashSet<>(ids);
        Map<String, Object> props = kafka.clientProperties("it-reader");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(
                props, new StringDeserializer(), topics.results().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.results().name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    seen.putIfAbsent(record.key(), record.value());
                    missing.remove(record.key());
                }
            }
        }
        seen.keySet().retainAll(ids);
        return seen;
    }
}
