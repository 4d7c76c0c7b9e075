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
import io.askpipe.router.backend.http.StubLlmServer;
import io.askpipe.router.backend.http.StubLlmServer.Reply;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider limits on the real broker and database: two workers in one JVM share them through
 * PostgreSQL, in front of a fake OpenAI-compatible provider on loopback that enforces limits of its
 * own and records when each call came.
 */
class ProviderLimitsIT {
    private static final String COMPLETION = """
            {"id": "chatcmpl-1", "object": "chat.completion", "created": 1764158400, "model": "gpt-4o-mini",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}
            """;

    private KafkaSettings kafka;
    private DatabaseSettings database;
    private Topics topics;
    private KafkaProducer<String, byte[]> producer;
    private StubLlmServer provider;
    private final List<RouterService> services = new CopyOnWriteArrayList<>();
    private final List<Future<RecordMetadata>> sent = new ArrayList<>();

    /** When each call reached the provider ({@link System#nanoTime()}), and whether it was refused. */
    private record Call(long atNanos, boolean refused) {}

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        String name = SharedInfrastructure.uniqueName("limits");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        topics = kafka.topics();
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        Map<String, Object> props = kafka.clientProperties("it");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        provider = new StubLlmServer();
    }

    @AfterEach
    void tearDown() {
        services.forEach(RouterService::close);
        producer.close();
        provider.close();
    }

    /**
     * The fake provider: answers after {@code latency}, unless more than {@code perMinute} calls came
     * in the last sliding minute (429, {@code Retry-After: 1}) or {@code refuse} says so.
     */
    private void provide(Duration latency, int perMinute, java.util.function.IntPredicate refuse) {
        Deque<Long> lastMinute = new ArrayDeque<>();
        AtomicInteger seen = new AtomicInteger();
        provider.answer(request -> {
            long now = System.nanoTime();
            int n = seen.incrementAndGet();
            boolean refused;
            synchronized (lastMinute) {
                while (!lastMinute.isEmpty() && now - lastMinute.peekFirst() >= TimeUnit.MINUTES.toNanos(1)) {
                    lastMinute.removeFirst();
                }
                refused = lastMinute.size() >= perMinute || refuse.test(n);
                if (!refused) {
                    lastMinute.addLast(now);
                }
            }
            calls.add(new Call(now, refused));
            if (refused) {
                return Reply.json(429, "{\"error\": {\"message\": \"slow down\", \"type\": \"rate_limit\"}}")
                        .withHeader("Retry-After", refuse.test(n) ? "2" : "1");
            }
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(latency);
            } finally {
                running.decrementAndGet();
            }
            return Reply.json(200, COMPLETION);
        });
    }

    private RouterService startWorker(SimpleMeterRegistry registry, Map<String, String> env) {
        Map<String, String> vars = new HashMap<>(env);
        vars.put("ROUTER_GROUP_ID", kafka.topicPrefix() + "router");
        vars.put("ASKPIPE_BACKENDS", "openai");
        vars.put("PROMPT_BACKEND", "openai");
        vars.put("OPENAI_BASE_URL", provider.baseUrl());
        vars.put("OPENAI_API_KEY", "sk-test-0123456789abcdef");
        vars.putIfAbsent("ROUTER_SHUTDOWN_GRACE_MS", "2000");
        vars.putIfAbsent("ROUTER_RETRY_BACKOFF_MS", "50");
        RouterService service = RouterService.start(
                RouterConfig.local(kafka, database, vars),
                registry,
                Startup.defaults("router-worker"),
                FaultInjector.NONE);
        services.add(service);
        return service;
    }

    /**
     * Waits until every started worker holds its share of the partitions: asks submitted then are not
     * moved by a rebalance while they wait (a revoked ask that still runs would be called twice).
     */
    private void awaitGroup() throws InterruptedException {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> services.stream()
                        .allMatch(service -> service.readiness().check().get("consumer")));
        Thread.sleep(1_000);
    }

    private Set<String> submit(int asks) throws Exception {
        TopicProvisioner.ensure(kafka, "it-admin");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < asks; i++) {
            AskRequest ask = new AskRequest(
                    UUID.randomUUID().toString(), "u" + (i % 7), "key-" + i, "prompt " + i, null, null, Instant.now());
            ids.add(ask.requestId());
            submit(ask);
        }
        producer.flush();
        for (Future<RecordMetadata> future : sent) {
            future.get(30, TimeUnit.SECONDS);
        }
        return ids;
    }

    private void submit(AskRequest ask) {
        byte[] json = topics.requests().valueSerde().serializer().serialize("t", ask);
        sent.add(producer.send(new ProducerRecord<>(topics.requests().name(), ask.requestId(), json)));
    }

    /** The results of {@code ids}, one per ask (the first read), waiting up to {@code within}. */
    private Map<String, AskResult> results(Set<String> ids, Duration within) {
        Map<String, AskResult> seen = new HashMap<>();
        Map<String, Object> props = kafka.clientProperties("it-reader");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(
                props, new StringDeserializer(), topics.results().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.results().name()));
            long deadline = System.nanoTime() + within.toNanos();
            while (!seen.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.putIfAbsent(r.key(), r.value()));
            }
        }
        return seen;
    }

    /** The most calls the provider accepted in any sliding minute. */
    private int mostInAnyMinute() {
        List<Long> times = calls.stream()
                .filter(call -> !call.refused())
                .map(Call::atNanos)
                .sorted()
                .toList();
        int most = 0;
        int first = 0;
        for (int last = 0; last < times.size(); last++) {
            while (times.get(last) - times.get(first) >= TimeUnit.MINUTES.toNanos(1)) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    @Test
    void twoThousandAsksThroughTwoWorkersAllSucceedAndTheProviderNeverSeesMoreThanItsLimit() throws Exception {
        // the provider takes 1900 a minute; askpipe's limit is just below, and 2000 asks are more
        // than either lets through in a minute: without the limit they would meet 429s
        provide(Duration.ofMillis(20), 1_900, n -> false);
        startWorker(new SimpleMeterRegistry(), Map.of("OPENAI_RPM", "1800"));
        startWorker(new SimpleMeterRegistry(), Map.of("OPENAI_RPM", "1800"));
        awaitGroup();
        Set<String> ids = submit(2_000);

        Map<String, AskResult> results = results(ids, Duration.ofSeconds(150));

        assertThat(results.keySet()).as("every ask has a result").containsAll(ids);
        assertThat(results.values()).allSatisfy(r -> assertThat(r.status()).isEqualTo(AskStatus.SUCCEEDED));
        assertThat(calls).as("the provider never refused a call").noneMatch(Call::refused);
        assertThat(calls).as("one call per ask").hasSize(2_000);
        // askpipe grants at most 1800 in any minute; the calls reach the provider a few ms after
        // their grants, unevenly, which may crowd a minute of the provider's by a few more
        assertThat(mostInAnyMinute()).as("calls in any sliding minute").isLessThanOrEqualTo(1_900);
        assertThat(results.values())
                .as("asks over the limit waited, and said so")
                .anySatisfy(r -> assertThat(r.waitedMs()).isGreaterThan(1_000L));
    }

    @Test
    void aProvidersRetryAfterPausesEveryWorkerForThatLong() throws Exception {
        // no limit of askpipe's own: the provider's 429 on its 60th call asks for 2 s of quiet
        provide(Duration.ofMillis(30), Integer.MAX_VALUE, n -> n == 60);
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        Map<String, String> env = Map.of("ROUTER_PAUSE_REFRESH_MS", "100", "ROUTER_MAX_IN_FLIGHT", "8");
        startWorker(first, env);
        startWorker(second, env);
        awaitGroup();
        Set<String> ids = submit(400);

        Map<String, AskResult> results = results(ids, Duration.ofSeconds(90));

        assertThat(results.keySet()).containsAll(ids);
        assertThat(results.values()).allSatisfy(r -> assertThat(r.status()).isEqualTo(AskStatus.SUCCEEDED));
        Call refusal = calls.stream().filter(Call::refused).findFirst().orElseThrow();
        assertThat(calls).filteredOn(Call::refused).hasSize(1);
        // the worker that got the 429 pauses at once, the other within its refresh (100 ms); calls
        // already on the wire when it came may still arrive a moment later
        long quietFrom = refusal.atNanos() + Duration.ofMillis(400).toNanos();
        long quietUntil = refusal.atNanos() + Duration.ofMillis(1_900).toNanos();
        assertThat(calls)
                .as("no call reaches the provider during its Retry-After")
                .noneMatch(call -> call.atNanos() > quietFrom && call.atNanos() < quietUntil);
        assertThat(calls)
                .as("calls go on after the pause")
                .anyMatch(call -> call.atNanos()
                        > refusal.atNanos() + Duration.ofSeconds(2).toNanos());
        for (SimpleMeterRegistry worker : List.of(first, second)) {
            assertThat(worker.get("router_permit_wait")
                            .tag("backend", "openai")
                            .timer()
                            .max(TimeUnit.MILLISECONDS))
                    .as("each worker held asks back for the pause")
                    .isGreaterThan(1_000);
        }
        double pauses = first.find("router_provider_pauses").counters().stream()
                        .mapToDouble(c -> c.count())
                        .sum()
                + second.find("router_provider_pauses").counters().stream()
                        .mapToDouble(c -> c.count())
                        .sum();
        assertThat(pauses).isEqualTo(1.0);
    }

    @Test
    void callsAtOnceStayWithinTheConcurrencyLimitAcrossWorkers() throws Exception {
        provide(Duration.ofMillis(50), Integer.MAX_VALUE, n -> false);
        startWorker(new SimpleMeterRegistry(), Map.of("OPENAI_MAX_CONCURRENCY", "2"));
        startWorker(new SimpleMeterRegistry(), Map.of("OPENAI_MAX_CONCURRENCY", "2"));
        awaitGroup();
        Set<String> ids = submit(100);

        Map<String, AskResult> results = results(ids, Duration.ofSeconds(90));

        assertThat(results.keySet()).containsAll(ids);
        assertThat(results.values()).allSatisfy(r -> assertThat(r.status()).isEqualTo(AskStatus.SUCCEEDED));
        assertThat(calls).hasSize(100);
        assertThat(mostRunning.get()).as("calls the provider had at once").isBetween(1, 2);
    }

    @Test
    void anAskWhoseDeadlinePassesWhileItWaitsExpiresWithoutACall() throws Exception {
        provide(Duration.ofMillis(10), Integer.MAX_VALUE, n -> false);
        TopicProvisioner.ensure(kafka, "it-admin");
        // one call a minute: the first ask takes it, the second waits past its own deadline
        AskRequest taken = new AskRequest(UUID.randomUUID().toString(), "u", "k1", "one", null, null, Instant.now());
        submit(taken);
        producer.flush();
        startWorker(new SimpleMeterRegistry(), Map.of("OPENAI_RPM", "1"));
        Map<String, AskResult> first = results(Set.of(taken.requestId()), Duration.ofSeconds(60));
        assertThat(first.get(taken.requestId()).status()).isEqualTo(AskStatus.SUCCEEDED);

        AskRequest late = new AskRequest(UUID.randomUUID().toString(), "u", "k2", "two", null, null, Instant.now())
                .withDeadline(Instant.now().plusSeconds(2));
        submit(late);
        producer.flush();

        AskResult result =
                results(Set.of(late.requestId()), Duration.ofSeconds(60)).get(late.requestId());
        assertThat(result.status()).isEqualTo(AskStatus.EXPIRED);
        assertThat(result.attempts()).as("no call was made").isZero();
        assertThat(result.waitedMs()).isGreaterThan(1_000L);
        assertThat(calls).as("only the first ask reached the provider").hasSize(1);
    }
}
