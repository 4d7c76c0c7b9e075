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
import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.ScriptedBackend;
import io.askpipe.router.backend.openai.OpenAiBackend;
import io.askpipe.router.backend.openai.OpenAiSettings;
import io.askpipe.router.process.RouterResults;
import io.askpipe.router.route.BackendRegistry;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cancels on the real broker and database: a queued ask never reaches its backend, a running call
 * is cut (its provider sees the connection closed), and a cancel racing the answer leaves exactly
 * one terminal result, the same in the router's memory and on every record of {@code ask.results}.
 */
class CancelIT {
    private KafkaSettings kafka;
    private DatabaseSettings database;
    private Topics topics;
    private KafkaProducer<String, byte[]> producer;
    private final List<RouterService> services = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Backend calls by request id. */
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        String name = SharedInfrastructure.uniqueName("cancel");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        topics = kafka.topics();
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        Map<String, Object> props = kafka.clientProperties("it");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void tearDown() {
        services.forEach(RouterService::close);
        producer.close();
    }

    @Test
    void anAskCancelledBeforeAnyWorkerRunsEndsCancelledWithoutABackendCall() throws Exception {
        TopicProvisioner.ensure(kafka, "it-admin");
        AskRequest cancelled = ask(1);
        AskRequest kept = ask(2);
        submit(cancelled);
        submit(kept);
        cancel(cancelled);

        startWorker(counting(Duration.ZERO), Map.of(), 256);
        Map<String, List<AskResult>> results = resultsOf(Set.of(cancelled.requestId(), kept.requestId()));

        assertThat(results.get(cancelled.requestId())).isNotEmpty().allSatisfy(result -> {
            assertThat(result.status()).isEqualTo(AskStatus.CANCELLED);
            assertThat(result.error().type()).isEqualTo(ErrorType.CANCELLED);
            assertThat(result.attempts()).isZero();
        });
        assertThat(results.get(kept.requestId())).extracting(AskResult::status).containsOnly(AskStatus.SUCCEEDED);
        assertThat(calls).as("backend calls").containsOnlyKeys(kept.requestId());
    }

    @Test
    void anAskCancelledBehindABacklogEndsCancelledAtOnceAndItsBackendIsNeverCalled() throws Exception {
        // one ask at a time, 200 ms each: the last of twenty waits seconds in Kafka
        startWorker(counting(Duration.ofMillis(200)), Map.of(), 1);
        List<AskRequest> backlog = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            AskRequest request = ask(i);
            backlog.add(request);
            submit(request);
        }
        AskRequest last = backlog.getLast();
        cancel(last);

        // settled by the cancel group while the backlog drains: long before its turn
        Map<String, List<AskResult>> early = resultsOf(Set.of(last.requestId()));
        assertThat(early.get(last.requestId())).extracting(AskResult::status).containsOnly(AskStatus.CANCELLED);
        assertThat(calls).doesNotContainKey(last.requestId());

        Set<String> all = backlog.stream().map(AskRequest::requestId).collect(Collectors.toSet());
        Map<String, List<AskResult>> results = resultsOf(all);
        assertThat(results.get(last.requestId())).extracting(AskResult::status).containsOnly(AskStatus.CANCELLED);
        assertThat(calls)
                .as("every ask but the cancelled one was called")
                .hasSize(19)
                .doesNotContainKey(last.requestId());
    }

    @Test
    void aRunningCallIsInterruptedAndItsProviderSeesTheConnectionClosed() throws Exception {
        try (HoldingProvider provider = new HoldingProvider()) {
            Backend openai =
                    new OpenAiBackend(new OpenAiSettings(provider.baseUrl(), "sk-test", "gpt-4o-mini", null, null));
            startWorker(openai, Map.of("PROMPT_BACKEND", "openai"), 256);
            AskRequest request = ask(1);
            submit(request);
            assertThat(provider.awaitCall(Duration.ofSeconds(30)))
                    .as("the call reached the provider")
                    .isTrue();

            long cancelling = System.nanoTime();
            cancel(request);
            OptionalLong closedAt = provider.awaitClosed(Duration.ofSeconds(10));

            assertThat(closedAt).as("the provider saw the connection closed").isPresent();
            assertThat(Duration.ofNanos(closedAt.getAsLong() - cancelling))
                    .as("closed within a second of the cancel")
                    .isLessThan(Duration.ofSeconds(1));
            Map<String, List<AskResult>> results = resultsOf(Set.of(request.requestId()));
            assertThat(results.get(request.requestId()))
                    .extracting(AskResult::status)
                    .containsOnly(AskStatus.CANCELLED);
            assertThat(provider.calls()).as("no retry after the cancel").isEqualTo(1);
            assertThat(kept(request.requestId())).map(AskResult::status).contains(AskStatus.CANCELLED);
        }
    }

    @Test
    void aCancelRacingTheAnswerFiveHundredTimesLeavesExactlyOneTerminalStateEach() throws Exception {
        int asks = 500;
        List<AskRequest> requests = new ArrayList<>();
        for (int i = 0; i < asks; i++) {
            requests.add(ask(i));
        }
        Map<String, AskRequest> byId = requests.stream().collect(Collectors.toMap(AskRequest::requestId, r -> r));
        Set<String> cancelledInCall = ConcurrentHashMap.newKeySet();
        // a fast backend; every other ask is cancelled at the moment its answer comes, from inside the call
        ScriptedBackend fast = new ScriptedBackend("dryrun", call -> {
            calls.computeIfAbsent(call.requestId(), id -> new AtomicInteger()).incrementAndGet();
            AskRequest request = byId.get(call.requestId());
            if (requests.indexOf(request) % 2 == 1 && cancelledInCall.add(call.requestId())) {
                cancel(request);
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(3));
            return new BackendOutcome.Completed("dryrun-echo", "[dryrun] " + call.prompt(), Usage.of(1, 2));
        });
        startWorker(fast, Map.of(), 256);
        for (int i = 0; i < asks; i++) {
            submit(requests.get(i));
            if (i % 2 == 0) {
                cancel(requests.get(i)); // right after the submit
            }
        }
        producer.flush();

        Map<String, List<AskResult>> results = resultsOf(byId.keySet());
        // the late records of a race (the cancel group republishing what is kept) come within moments
        Thread.sleep(2000);
        results = resultsOf(byId.keySet());

        Map<AskStatus, Integer> split = new HashMap<>();
        try (var dataSource = database.migratedDataSource("it-kept", RouterResults.SCHEMA);
                var router = new RouterResults(DSL.using(dataSource, SQLDialect.POSTGRES))) {
            for (AskRequest request : requests) {
                List<AskResult> records = results.get(request.requestId());
                assertThat(records).as("records of %s", request.requestId()).isNotEmpty();
                Set<AskStatus> statuses =
                        records.stream().map(AskResult::status).collect(Collectors.toSet());
                assertThat(statuses)
                        .as("statuses on ask.results of %s", request.requestId())
                        .hasSize(1);
                AskStatus status = statuses.iterator().next();
                assertThat(status).isIn(AskStatus.SUCCEEDED, AskStatus.CANCELLED);
                assertThat(router.find(request.requestId()))
                        .as("the router's kept result of %s", request.requestId())
                        .map(AskResult::status)
                        .contains(status);
                assertThat(records)
                        .as("every record of %s is the kept one", request.requestId())
                        .allSatisfy(r -> assertThat(r).isEqualTo(records.getFirst()));
                split.merge(status, 1, Integer::sum);
            }
        }
        assertThat(split).as("asks cancelled before the call started").containsKey(AskStatus.CANCELLED);
        System.out.println("cancel race over " + asks + " asks: " + split);
    }

    private ScriptedBackend counting(Duration latency) {
        return new ScriptedBackend("dryrun", call -> {
            calls.computeIfAbsent(call.requestId(), id -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(latency);
            return new BackendOutcome.Completed("dryrun-echo", "[dryrun] " + call.prompt(), Usage.of(1, 2));
        });
    }

    private void startWorker(Backend backend, Map<String, String> env, int maxInFlight) {
        Map<String, String> vars = new HashMap<>(env);
        vars.put("ROUTER_GROUP_ID", kafka.topicPrefix() + "router");
        vars.put("ROUTER_SHUTDOWN_GRACE_MS", "2000");
        vars.put("ROUTER_MAX_IN_FLIGHT", String.valueOf(maxInFlight));
        RouterConfig config = RouterConfig.local(kafka, database, vars);
        BackendRegistry registry = BackendRegistry.builder()
                .available(backend, Duration.ofSeconds(30))
                .build();
        services.add(RouterService.start(
                config, new SimpleMeterRegistry(), Startup.defaults("router-worker"), FaultInjector.NONE, registry));
    }

    private static AskRequest ask(int i) {
        return new AskRequest(
                UUID.randomUUID().toString(), "u" + (i % 7), "key-" + i, "prompt " + i, null, null, Instant.now());
    }

    private void submit(AskRequest request) throws Exception {
        byte[] json = topics.requests().valueSerde().serializer().serialize("t", request);
        producer.send(new ProducerRecord<>(topics.requests().name(), request.scope(), json))
                .get(30, TimeUnit.SECONDS);
    }

    private void cancel(AskRequest request) {
        AskCancel cancel = new AskCancel(
                request.requestId(),
                request.userId(),
                request.backend(),
                request.model(),
                request.acceptedAt(),
                Instant.now());
        byte[] json = topics.cancels().valueSerde().serializer().serialize("t", cancel);
        try {
            producer.send(new ProducerRecord<>(topics.cancels().name(), request.requestId(), json))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the cancel of " + request.requestId() + " was not published", e);
        }
    }

    /** The result the router kept for {@code requestId}, if any. */
    private Optional<AskResult> kept(String requestId) throws Exception {
        try (var dataSource = database.migratedDataSource("it-kept", RouterResults.SCHEMA);
                var results = new RouterResults(DSL.using(dataSource, SQLDialect.POSTGRES))) {
            return results.find(requestId);
        }
    }

    /** Every record of {@code ask.results} so far, by request id, once each of {@code ids} has one. */
    private Map<String, List<AskResult>> resultsOf(Set<String> ids) {
        Map<String, List<AskResult>> seen = new HashMap<>();
        Map<String, Object> props = kafka.clientProperties("it-reader");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(
                props, new StringDeserializer(), topics.results().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.results().name()));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, AskResult> record : consumer.poll(Duration.ofMillis(200))) {
                    seen.computeIfAbsent(record.key(), id -> new ArrayList<>()).add(record.value());
                }
                return seen.keySet().containsAll(ids);
            });
            // what is already on the topic behind them
            for (ConsumerRecord<String, AskResult> record : consumer.poll(Duration.ofMillis(500))) {
                seen.computeIfAbsent(record.key(), id -> new ArrayList<>()).add(record.value());
            }
        }
        return seen;
    }
}
