package io.askpipe.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.common.service.Startup;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.ScriptedBackend;
import io.askpipe.router.process.RouterResults;
import io.askpipe.router.route.BackendRegistry;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker on the real embedded broker and database. */
class RouterWorkerIT {
    private KafkaSettings kafka;
    private DatabaseSettings database;
    private Topics topics;
    private KafkaProducer<String, byte[]> producer;
    private final List<RouterService> services = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Calls by request id, and the most calls in flight at once, across every worker of a test. */
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    @BeforeEach
    void setUp() {
        String name = SharedInfrastructure.uniqueName("router");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        topics = kafka.topics();
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        // the fixture producer writes to topics created a moment ago, whose leaders a broker may not
        // have taken up yet: plain retries, one request at a time, keep that from tangling sequences
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

    private ScriptedBackend countingDryrun(Duration latency) {
        return new ScriptedBackend("dryrun", call -> {
            calls.computeIfAbsent(call.requestId(), id -> new AtomicInteger()).incrementAndGet();
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(latency);
            } finally {
                inFlight.decrementAndGet();
            }
            return new BackendOutcome.Completed("dryrun-echo", "[dryrun] " + call.prompt(), Usage.of(1, 2));
        });
    }

    private RouterService startWorker(ScriptedBackend backend, Map<String, String> env) {
        Map<String, String> vars = new HashMap<>(env);
        vars.put("ROUTER_GROUP_ID", kafka.topicPrefix() + "router");
        vars.putIfAbsent("ROUTER_SHUTDOWN_GRACE_MS", "2000");
        RouterConfig config = RouterConfig.local(kafka, database, vars);
        BackendRegistry registry = BackendRegistry.builder()
                .available(backend, Duration.ofSeconds(10))
                .build();
        RouterService service = RouterService.start(
                config, new SimpleMeterRegistry(), Startup.defaults("router-worker"), FaultInjector.NONE, registry);
        services.add(service);
        return service;
    }

    private static AskRequest ask(int i) {
        return new AskRequest(
                UUID.randomUUID().toString(), "u" + (i % 7), "key-" + i, "prompt " + i, null, null, Instant.now());
    }

    private final List<Future<RecordMetadata>> sent = new ArrayList<>();

    private void submit(AskRequest request) {
        byte[] json = topics.requests().valueSerde().serializer().serialize("t", request);
        sent.add(producer.send(new ProducerRecord<>(topics.requests().name(), request.scope(), json)));
    }

    /** Waits until every submitted ask is on the topic, so a lost submit fails here, not later. */
    private void flush() throws Exception {
        producer.flush();
        for (Future<RecordMetadata> future : sent) {
            future.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void underInjectedVendorFailuresEveryAskStillGetsOneResultAndRetriesRecover() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Map<String, String> vars = new HashMap<>(Map.of(
                "ROUTER_GROUP_ID", kafka.topicPrefix() + "router",
                "ROUTER_RETRY_BACKOFF_MS", "1",
                "ROUTER_MAX_IN_FLIGHT", "8",
                "CHAOS_MODE", "1",
                "CHAOS_SEED", "7",
                "CHAOS_VENDOR_FAILURE", "0.3"));
        // the asks go out before the worker starts: its idempotent producer then meets partitions
        // whose leaders are settled (on partitions a moment old it was seen to tangle its sequences)
        TopicProvisioner.ensure(kafka, "it-admin");
        int asks = 200;
        for (int i = 0; i < asks; i++) {
            submit(ask(i));
        }
        flush();
        services.add(RouterService.start(
                RouterConfig.local(kafka, database, vars),
                meters,
                Startup.defaults("router-worker"),
                Chaos.of(Chaos.Settings.fromEnv(Env.of(vars)), meters, () -> {})));

        List<ConsumerRecord<String, AskResult>> results = readResults(asks);
        assertThat(results).as("one result per ask").hasSize(asks);
        assertThat(results.stream().map(r -> r.value().reqId()).distinct().count())
                .isEqualTo(asks);
        assertThat(results).as("a retry after an injected failure succeeds").anySatisfy(r -> {
            assertThat(r.value().status()).isEqualTo(AskStatus.SUCCEEDED);
            assertThat(r.value().attempts()).isGreaterThan(1);
        });
        // an ask fails for good when every attempt was struck, or when the failures opened the
        // circuit breaker (injected failures answer at once, faster than successes)
        assertThat(results)
                .filteredOn(r -> r.value().status() == AskStatus.FAILED)
                .allSatisfy(r -> assertThat(r.value().error().type())
                        .isIn(ErrorType.UPSTREAM_ERROR, ErrorType.BACKEND_UNAVAILABLE));
        assertThat(meters.get("chaos_events")
                        .tag("fault", "vendor_failure")
                        .counter()
                        .count())
                .as("injected failures, retries included")
                .isGreaterThan(10);
    }

    @Test
    void aWorkerCrashingBetweenKeepingAndPublishingIsRestartedAndEveryAskGetsItsOneResult() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Map<String, String> vars = new HashMap<>(Map.of(
                "ROUTER_GROUP_ID", kafka.topicPrefix() + "router",
                // static membership: the restarted worker takes the crashed one's partitions at once
                "KAFKA_GROUP_INSTANCE_ID", "router-under-test",
                "ROUTER_MAX_IN_FLIGHT", "8",
                "ROUTER_SHUTDOWN_GRACE_MS", "2000",
                "CHAOS_MODE", "1",
                "CHAOS_SEED", "21",
                "CHAOS_WORKER_CRASH", "0.2"));
        RouterConfig config = RouterConfig.local(kafka, database, vars);
        TopicProvisioner.ensure(kafka, "it-admin");
        int asks = 50;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < asks; i++) {
            AskRequest ask = ask(i);
            ids.add(ask.requestId());
            submit(ask);
        }
        flush();

        // the supervisor: halts the crashed worker and starts a fresh one in its place, one at a time
        var supervisor = Executors.newSingleThreadExecutor();
        AtomicInteger restarts = new AtomicInteger();
        ScriptedBackend backend = countingDryrun(Duration.ofMillis(20));
        var current = new java.util.concurrent.atomic.AtomicReference<RouterService>();
        var chaos = new java.util.concurrent.atomic.AtomicReference<Chaos>();
        chaos.set(Chaos.of(
                Chaos.Settings.fromEnv(Env.of(vars)),
                meters,
                () -> supervisor.execute(() -> {
                    RouterService crashed = current.get();
                    crashed.halt();
                    services.remove(crashed);
                    current.set(RouterService.start(
                            config, meters, Startup.defaults("router-worker"), chaos.get(), registryOf(backend)));
                    services.add(current.get());
                    restarts.incrementAndGet();
                })));
        current.set(RouterService.start(
                config, meters, Startup.defaults("router-worker"), chaos.get(), registryOf(backend)));
        services.add(current.get());

        Map<String, Set<AskResult>> byId = new HashMap<>();
        for (ConsumerRecord<String, AskResult> r : readResultsCovering(new HashSet<>(ids), Duration.ofSeconds(150))) {
            byId.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.value());
        }
        supervisor.shutdown();
        assertThat(supervisor.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(byId.keySet()).as("every ask has a result").containsExactlyInAnyOrderElementsOf(ids);
        assertThat(byId)
                .as("every result published for an ask is the one kept for it")
                .allSatisfy((id, distinct) -> assertThat(distinct).hasSize(1));
        double crashes = meters.get("chaos_events")
                .tag("fault", "worker_crash")
                .counter()
                .count();
        assertThat(crashes).as("injected crashes").isGreaterThan(0);
        assertThat(crashes)
                .as("at most one crash per ask: a redelivered ask takes its kept result")
                .isLessThanOrEqualTo(asks);
        assertThat(restarts.get()).isGreaterThan(0);
        try (var c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                var rs = c.createStatement()
                        .executeQuery("SELECT count(*), count(DISTINCT request_id) FROM router.results")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(asks);
            assertThat(rs.getInt(2)).isEqualTo(asks);
        }
    }

    private static BackendRegistry registryOf(ScriptedBackend backend) {
        return BackendRegistry.builder()
                .available(backend, Duration.ofSeconds(10))
                .build();
    }

    @Test
    void notReadyUntilTheWorkerHoldsItsAssignment() throws Exception {
        TopicProvisioner.ensure(kafka, "it-admin");
        // another member of the group holds every partition and will not rejoin while it stays open
        Map<String, Object> props = kafka.clientProperties("it-holder");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, kafka.topicPrefix() + "router");
        try (var holder = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            holder.subscribe(List.of(topics.requests().name()));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                holder.poll(Duration.ofMillis(100));
                return !holder.assignment().isEmpty();
            });

            RouterService service = startWorker(countingDryrun(Duration.ZERO), Map.of());
            for (int i = 0; i < 10; i++) {
                assertThat(service.readiness().check())
                        .as("the rebalance waits for the holder, and the worker is not ready")
                        .containsEntry("consumer", false)
                        .containsEntry("database", true);
                Thread.sleep(200);
            }
            holder.unsubscribe(); // leaves the group: the rebalance completes

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> service.readiness().check().get("consumer"));
        }
    }

    @Test
    void answersAsksDeadLettersPoisonAndNeverCallsABackendTwiceForAnAnsweredAsk() throws Exception {
        startWorker(countingDryrun(Duration.ZERO), Map.of("ROUTER_PROGRESS_AFTER_MS", "0"));
        AskRequest ask = ask(1);
        producer.send(new ProducerRecord<>(topics.requests().name(), "u1:poison", "{oops".getBytes()));
        submit(ask);
        flush();

        List<ConsumerRecord<String, AskResult>> results = readResults(1);
        assertThat(results).hasSize(1);
        assertThat(results.getFirst().key()).isEqualTo(ask.requestId());
        assertThat(results.getFirst().value().status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(results.getFirst().value().answer()).isEqualTo("[dryrun] prompt 1");
        assertThat(new String(results.getFirst()
                        .headers()
                        .lastHeader("askpipe-request-id")
                        .value()))
                .isEqualTo(ask.requestId());

        List<ConsumerRecord<String, byte[]>> dead =
                read(topics.requestsDeadLetter().name(), new ByteArrayDeserializer(), 1);
        assertThat(new String(dead.getFirst().value())).isEqualTo("{oops");
        assertThat(new String(dead.getFirst()
                        .headers()
                        .lastHeader("askpipe-dlq-source")
                        .value()))
                .startsWith(topics.requests().name() + "-");
        assertThat(new String(dead.getFirst()
                        .headers()
                        .lastHeader("askpipe-dlq-error")
                        .value()))
                .contains("not a valid AskRequest");

        List<ConsumerRecord<String, byte[]>> progress = read(topics.progress().name(), new ByteArrayDeserializer(), 1);
        assertThat(progress.getFirst().key()).isEqualTo(ask.requestId());
        assertThat(topics.progress()
                        .valueSerde()
                        .deserializer()
                        .deserialize("t", progress.getFirst().value()))
                .satisfies(p -> {
                    assertThat(p.reqId()).isEqualTo(ask.requestId());
                    assertThat(p.backend()).isEqualTo("dryrun");
                });

        submit(ask); // a replay of the same ask
        flush();
        List<ConsumerRecord<String, AskResult>> again = readResults(2);
        assertThat(again).hasSize(2);
        assertThat(again.get(1).value())
                .as("the same result, published again")
                .isEqualTo(again.get(0).value());
        assertThat(calls.get(ask.requestId())).as("no second backend call").hasValue(1);
    }

    @Test
    void aTopicWrittenBeforeChatBodiesIsAnsweredAsBefore() throws Exception {
        startWorker(countingDryrun(Duration.ZERO), Map.of());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            // a record exactly as versions before chat bodies wrote it, keyed by idempotency scope
            String record = "{\"request_id\":\"" + id + "\",\"user_id\":\"u1\",\"idempotency_key\":\"old-" + i
                    + "\",\"prompt\":\"old prompt " + i + "\",\"accepted_at\":\"" + Instant.now() + "\"}";
            sent.add(producer.send(new ProducerRecord<>(topics.requests().name(), "u1:old-" + i, record.getBytes())));
        }
        flush();

        List<ConsumerRecord<String, AskResult>> results = readResultsCovering(new HashSet<>(ids));
        assertThat(results).hasSize(3);
        for (ConsumerRecord<String, AskResult> result : results) {
            int i = ids.indexOf(result.key());
            assertThat(result.value().status()).isEqualTo(AskStatus.SUCCEEDED);
            assertThat(result.value().answer()).isEqualTo("[dryrun] old prompt " + i);
            assertThat(result.value().finishReason()).isEqualTo(io.askpipe.schemas.chat.FinishReason.STOP);
        }
    }

    @Test
    void asksWhoseDeadlinePassedWhileQueuedEndExpiredWithoutABackendCall() throws Exception {
        TopicProvisioner.ensure(kafka, "it-admin");
        Instant deadline = Instant.now().plusSeconds(1);
        Set<String> expiring = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            AskRequest request = ask(i).withDeadline(deadline);
            expiring.add(request.requestId());
            submit(request);
        }
        AskRequest fresh = ask(99);
        submit(fresh);
        flush();
        // the backlog waits out its deadline before any worker runs
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()) + 200);

        startWorker(countingDryrun(Duration.ZERO), Map.of());
        Set<String> all = new HashSet<>(expiring);
        all.add(fresh.requestId());
        List<ConsumerRecord<String, AskResult>> results = readResultsCovering(all);

        assertThat(results)
                .filteredOn(r -> expiring.contains(r.key()))
                .hasSize(20)
                .allSatisfy(r -> {
                    assertThat(r.value().status()).isEqualTo(AskStatus.EXPIRED);
                    assertThat(r.value().attempts()).isZero();
                });
        assertThat(calls).as("backend calls").containsOnlyKeys(fresh.requestId());
    }

    @Test
    void anAskPastTheRetentionPeriodIsNotRunAndOldResultsArePurged() throws Exception {
        startWorker(countingDryrun(Duration.ZERO), Map.of("ROUTER_RETENTION", "1h"));
        Instant now = Instant.now();
        AskRequest old = new AskRequest(
                UUID.randomUUID().toString(),
                "u1",
                "key-old",
                "prompt old",
                null,
                null,
                now.minus(Duration.ofHours(2)));
        AskRequest fresh = ask(2);
        // one partition, the old ask first: once the fresh one is answered, the old one was read
        for (AskRequest request : List.of(old, fresh)) {
            byte[] json = topics.requests().valueSerde().serializer().serialize("t", request);
            sent.add(producer.send(new ProducerRecord<>(topics.requests().name(), 0, request.requestId(), json)));
        }
        flush();

        assertThat(readResults(1)).extracting(ConsumerRecord::key).containsExactly(fresh.requestId());
        assertThat(readUntilQuiet(
                        topics.results().name(), topics.results().valueSerde().deserializer(), Duration.ofSeconds(2)))
                .extracting(ConsumerRecord::key)
                .containsExactly(fresh.requestId());
        assertThat(calls).as("backend calls").containsOnlyKeys(fresh.requestId());

        try (var dataSource = database.migratedDataSource("it-purge", RouterResults.SCHEMA);
                var results = new RouterResults(DSL.using(dataSource, SQLDialect.POSTGRES))) {
            results.keepFirst(AskResult.succeeded(
                    old.requestId(), "dryrun", "m", "a", Usage.NONE, 1, 1, now.minus(Duration.ofHours(2))));
            assertThat(results.purgeCompletedBefore(now.minus(Duration.ofHours(1)), 100))
                    .isEqualTo(1);
            assertThat(results.find(old.requestId())).isEmpty();
            assertThat(results.find(fresh.requestId())).as("inside the period").isPresent();
        }
    }

    @Test
    void announcesAnAskAsRunningOnlyWhenItsCallLastsLongerThanTheProgressDelay() throws Exception {
        ScriptedBackend backend = new ScriptedBackend("dryrun", call -> {
            if (call.prompt().equals("slow")) {
                Thread.sleep(800);
            }
            return new BackendOutcome.Completed("dryrun-echo", "[dryrun] " + call.prompt(), Usage.of(1, 2));
        });
        startWorker(backend, Map.of("ROUTER_PROGRESS_AFTER_MS", "300"));
        AskRequest quick =
                new AskRequest(UUID.randomUUID().toString(), "u1", "key-quick", "quick", null, null, Instant.now());
        AskRequest slow =
                new AskRequest(UUID.randomUUID().toString(), "u2", "key-slow", "slow", null, null, Instant.now());
        submit(quick);
        submit(slow);
        flush();

        assertThat(readResults(2))
                .extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder(quick.requestId(), slow.requestId());
        // both calls ended before their results were published: every announcement is on the topic
        List<ConsumerRecord<String, byte[]>> progress =
                readUntilQuiet(topics.progress().name(), new ByteArrayDeserializer(), Duration.ofSeconds(2));
        assertThat(progress)
                .as("only the call that outlasted the delay was announced")
                .extracting(ConsumerRecord::key)
                .containsExactly(slow.requestId());
    }

    @Test
    void keepsHundredsOfCallsInFlightOnThreePartitions() throws Exception {
        // a second per call: the worker has time to fill its slots even on a loaded machine
        startWorker(countingDryrun(Duration.ofSeconds(1)), Map.of("ROUTER_MAX_IN_FLIGHT", "256"));
        int asks = 600;
        for (int i = 0; i < asks; i++) {
            submit(ask(i));
        }
        flush();

        assertThat(readResults(asks)).hasSize(asks);
        assertThat(maxInFlight.get())
                .as("calls in flight at once")
                .isGreaterThanOrEqualTo(200)
                .isLessThanOrEqualTo(256);
        assertThat(calls).hasSize(asks).allSatisfy((id, n) -> assertThat(n).hasValue(1));
    }

    @Test
    void aWorkerThatDiesAbruptlyLosesNothingAndNoAskGetsTwoResults() throws Exception {
        ScriptedBackend backend = countingDryrun(Duration.ofMillis(100));
        RouterService doomed = startWorker(backend, Map.of("ROUTER_MAX_IN_FLIGHT", "64"));
        startWorker(backend, Map.of("ROUTER_MAX_IN_FLIGHT", "64"));
        int asks = 400;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < asks; i++) {
            AskRequest ask = ask(i);
            ids.add(ask.requestId());
            submit(ask);
        }
        flush();

        await().atMost(Duration.ofSeconds(30)).until(() -> calls.size() >= asks / 4);
        doomed.halt();
        services.remove(doomed);
        assertThat(doomed.inFlight())
                .as("halt returns once the halted worker's asks have let go of the pool it closes")
                .isZero();

        Map<String, Set<AskResult>> byId = new HashMap<>();
        for (ConsumerRecord<String, AskResult> r : readResultsCovering(new HashSet<>(ids))) {
            byId.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.value());
        }
        assertThat(byId.keySet()).as("every ask has a result").containsExactlyInAnyOrderElementsOf(ids);
        assertThat(byId)
                .as("no ask has two different results")
                .allSatisfy((id, distinct) -> assertThat(distinct).hasSize(1));
        try (var c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                var rs = c.createStatement()
                        .executeQuery("SELECT count(*), count(DISTINCT request_id) FROM router.results")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(asks);
            assertThat(rs.getInt(2)).isEqualTo(asks);
        }
        int duplicateCalls = calls.values().stream().mapToInt(n -> n.get() - 1).sum();
        assertThat(duplicateCalls)
                .as("only asks in flight on the dead worker are called again")
                .isLessThanOrEqualTo(64);
    }

    private List<ConsumerRecord<String, AskResult>> readResults(int expected) {
        return read(topics.results().name(), topics.results().valueSerde().deserializer(), expected);
    }

    private List<ConsumerRecord<String, AskResult>> readResultsCovering(Set<String> ids) {
        return readResultsCovering(ids, Duration.ofSeconds(60));
    }

    private List<ConsumerRecord<String, AskResult>> readResultsCovering(Set<String> ids, Duration within) {
        List<ConsumerRecord<String, AskResult>> seen = new ArrayList<>();
        Set<String> missing = new HashSet<>(ids);
        try (var consumer = reader(topics.results().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.results().name()));
            long deadline = System.nanoTime() + within.toNanos();
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(record);
                    missing.remove(record.key());
                }
            }
        }
        return seen;
    }

    private <V> List<ConsumerRecord<String, V>> read(String topic, Deserializer<V> values, int expected) {
        List<ConsumerRecord<String, V>> seen = new ArrayList<>();
        try (var consumer = reader(values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
        }
        return seen;
    }

    /** Every record of {@code topic}: read until the first comes, then until none came for {@code quiet}. */
    private <V> List<ConsumerRecord<String, V>> readUntilQuiet(String topic, Deserializer<V> values, Duration quiet) {
        List<ConsumerRecord<String, V>> seen = new ArrayList<>();
        try (var consumer = reader(values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long lastNews = System.nanoTime();
            while (seen.isEmpty() ? System.nanoTime() < deadline : System.nanoTime() - lastNews < quiet.toNanos()) {
                var polled = consumer.poll(Duration.ofMillis(200));
                if (!polled.isEmpty()) {
                    polled.forEach(seen::add);
                    lastNews = System.nanoTime();
                }
            }
        }
        return seen;
    }

    private <V> KafkaConsumer<String, V> reader(Deserializer<V> values) {
        Map<String, Object> props = kafka.clientProperties("it-reader");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), values);
    }
}
