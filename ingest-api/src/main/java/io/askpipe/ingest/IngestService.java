package io.askpipe.ingest;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.auth.AuthService;
import io.askpipe.common.db.Jooq;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.common.service.Metrics;
import io.askpipe.common.service.Readiness;
import io.askpipe.common.service.Startup;
import io.askpipe.ingest.api.CancelRoute;
import io.askpipe.ingest.api.ChatCompletionsRoute;
import io.askpipe.ingest.api.IngestRoutes;
import io.askpipe.ingest.batch.Batches;
import io.askpipe.ingest.files.FileService;
import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.ingest.publish.CancelPublisher;
import io.askpipe.ingest.quota.PostgresQuotas;
import io.askpipe.ingest.quota.Quotas;
import io.askpipe.ingest.quota.ResultTally;
import io.askpipe.ingest.results.ResultGroup;
import io.askpipe.ingest.results.ResultTail;
import io.askpipe.ingest.results.ResultWaiters;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest API's running parts: the idempotency ledger (migrated at start), the accounts callers
 * authenticate against, one shared idempotent producer, the routes (and the tail of {@code
 * ask.results} that {@code POST /v1/chat/completions} waits on), the users' quotas, the users'
 * files, their batches (with their own runner: {@link Batches}), the consumer group on {@code
 * ask.results} that tells the quotas and the batches when asks finish, and a background task that
 * publishes asks a request claimed but never published (the process died, Kafka timed out),
 * deletes expired keys and purges expired, deleted and abandoned files.
 *
 * <p>At most {@code INGEST_MAX_IN_FLIGHT} submits are accepted at once; one beyond is refused before
 * any ledger work ({@link RejectedExecutionException}, a 503 for the client), so a slow database or
 * broker piles up neither threads nor queued statements.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    /**
     * How many bytes of the latest results a chat completion that starts waiting late still finds
     * them in, at least: some thousands of ordinary answers; and never fewer than {@value
     * #RECENT_LARGEST_RESULTS} of the largest results {@code ASK_MAX_BYTES} allows.
     */
    private static final long RECENT_RESULT_BYTES = 16L << 20;

    private static final int RECENT_LARGEST_RESULTS = 4;
    /** The role of the group that tallies finished asks and settles batch lines: {@code askpipe-ingest-finished}. */
    static final String FINISHED_ROLE = "finished";
    /** The groups that did its work apart before: the quotas' tally and the batches' tracker. */
    static final List<String> FORMER_FINISHED_ROLES = List.of("quotas", "batches");

    private final IngestConfig config;
    private final HikariDataSource dataSource;
    private final FileService files;
    private final Producer<String, AskRequest> producer;
    private final AskPublisher publisher;
    /** Sends owners' cancels to {@code ask.cancels}. */
    private final Producer<String, AskCancel> cancelProducer;

    private final CancelPublisher cancels;
    private final PostgresAskLedger ledger;
    private final Quotas quotas;
    private final AuthService auth;
    private final FaultInjector faults;
    private final MeterRegistry registry;
    private final List<AutoCloseable> kafkaMetrics;
    private final Admin admin;
    /** The requests of {@code POST /v1/chat/completions} and of cancels waiting for their asks' results. */
    private final ResultWaiters results;

    private ResultTail resultTail;
    private ResultGroup finishedAsks;
    private Batches batches;
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    /** Submits being accepted (ledger claim, publish, answer recorded) right now. */
    private final AtomicInteger accepting = new AtomicInteger();

    private final Counter overloaded;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ingest-recovery").daemon().factory());

    private IngestService(
            IngestConfig config,
            HikariDataSource dataSource,
            FileService files,
            Producer<String, AskRequest> producer,
            AuthService auth,
            FaultInjector faults,
            MeterRegistry registry,
            List<AutoCloseable> kafkaMetrics) {
        this.kafkaMetrics = kafkaMetrics;
        this.registry = registry;
        Topic<String, AskResult> resultTopic = config.kafka().topics().results();
        Deserializer<AskResult> resultReader = resultTopic.valueSerde().deserializer();
        this.results =
                new ResultWaiters(RECENT_RESULT_BYTES, bytes -> resultReader.deserialize(resultTopic.name(), bytes));
        this.faults = faults;
        this.admin = Admin.create(config.kafka().clientProperties("askpipe-ingest-readiness"));
        this.config = config;
        this.auth = auth;
        this.dataSource = dataSource;
        this.files = files;
        this.producer = producer;
        this.publisher = new AskPublisher(producer, config.kafka().topics());
        Topic<String, AskCancel> cancelTopic = config.kafka().topics().cancels();
        this.cancelProducer = new KafkaProducer<>(
                producerProperties(config.kafka(), config.publishTimeout()),
                cancelTopic.keySerde().serializer(),
                cancelTopic.valueSerde().serializer());
        this.cancels = new CancelPublisher(cancelProducer, cancelTopic);
        this.ledger = new PostgresAskLedger(
                Jooq.using(dataSource),
                config.ledgerStatementTimeout(),
                config.quotas().inFlightRetention());
        this.quotas = new PostgresQuotas(
                Jooq.using(dataSource),
                auth.quotas()::of,
                config.auth().cacheTtl(),
                config.quotas(),
                Clock.systemUTC());
        this.overloaded = IngestRoutes.rejected(registry, "overloaded");
    }

    /** {@link #start(IngestConfig, MeterRegistry, Startup, FaultInjector)} with defaults and no faults. */
    public static IngestService start(IngestConfig config, MeterRegistry registry) {
        return start(config, registry, Startup.defaults("ingest-api"), FaultInjector.NONE);
    }

    /**
     * Starts in {@code startup}'s steps: the ledger's database (migrated), the accounts, the topics,
     * the producer (its metrics bound to {@code registry}); then the recovery of unpublished asks.
     * A client's publish asks {@code faults} whether it fails ({@code INGEST_PUBLISH_FAILURE}).
     */
    public static IngestService start(
            IngestConfig config, MeterRegistry registry, Startup startup, FaultInjector faults) {
        KafkaSettings kafka = config.kafka();
        Topic<String, AskRequest> topic = kafka.topics().requests();
        HikariDataSource dataSource = startup.step("database", Startup.DATABASE_FIX, () -> {
            // migrated without the ledger's timeouts: Flyway waits for another instance's migration
            config.database()
                    .migratedDataSource("askpipe-ingest-migration", PostgresAskLedger.SCHEMA, 2)
                    .close();
            return config.database()
                    .dataSource(
                            "askpipe-ingest",
                            PostgresAskLedger.SCHEMA,
                            config.ledgerLockTimeout(),
                            config.ledgerStatementTimeout());
        });
        FileService files = null;
        AuthService auth = null;
        Producer<String, AskRequest> producer = null;
        try {
            files = startup.step(
                    "files",
                    Startup.DATABASE_FIX,
                    () -> FileService.start(config.database(), PostgresAskLedger.SCHEMA, Clock.systemUTC()));
            auth = startup.step(
                    "accounts", Startup.DATABASE_FIX, () -> AuthService.start(config.database(), config.auth()));
            startup.step(
                    "kafka topics", Startup.KAFKA_FIX, () -> TopicProvisioner.ensure(kafka, "askpipe-ingest-admin"));
            producer = startup.step("kafka producer", Startup.KAFKA_FIX, () -> {
                Producer<String, AskRequest> created = new KafkaProducer<>(
                        producerProperties(kafka, config.publishTimeout()),
                        topic.keySerde().serializer(),
                        topic.valueSerde().serializer());
                kafka.topics().allRequestNames().forEach(created::partitionsFor);
                return created;
            });
        } catch (RuntimeException e) {
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
            if (auth != null) {
                auth.close();
            }
            if (files != null) {
                files.close();
            }
            dataSource.close();
            throw e;
        }
        IngestService service = new IngestService(
                config,
                dataSource,
                files,
                producer,
                auth,
                faults,
                registry,
                Metrics.bindKafkaClients(registry, producer));
        try {
            service.resultTail = startup.step(
                    "results tail",
                    Startup.KAFKA_FIX,
                    () -> ResultTail.start(kafka, kafka.topics().results(), service.results));
            service.batches = startup.step(
                    "batches",
                    Startup.KAFKA_FIX,
                    () -> Batches.start(
                            config.batches(),
                            config.database(),
                            PostgresAskLedger.SCHEMA,
                            new Batches.Parts(
                                    kafka,
                                    service.files.store(),
                                    config.files().maxLines(),
                                    service.publisher,
                                    service.cancels,
                                    producerProperties(kafka, config.publishTimeout()),
                                    config.limits(),
                                    config.callbacks(),
                                    config.publishTimeout(),
                                    Clock.systemUTC())));
            ResultTally tally = new ResultTally(Jooq.using(dataSource), Clock.systemUTC());
            Batches batches = service.batches;
            service.finishedAsks = startup.step(
                    "finished asks",
                    Startup.KAFKA_FIX,
                    () -> ResultGroup.start(
                            kafka,
                            kafka.topics().results(),
                            FINISHED_ROLE,
                            FORMER_FINISHED_ROLES,
                            "tally finished asks into the quotas and settle batch lines",
                            results -> {
                                tally.tally(results);
                                batches.settle(results);
                            }));
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        Gauge.builder("ingest_chat_completions_waiting", service.results, ResultWaiters::waiting)
                .description("Requests of POST /v1/chat/completions and of cancels waiting for their ask's result")
                .register(registry);
        Gauge.builder("ingest_in_flight", service.accepting, AtomicInteger::get)
                .description("Submits being accepted (ledger claim, Kafka publish) right now")
                .register(registry);
        long interval = config.recoveryInterval().toMillis();
        service.housekeeping.scheduleWithFixedDelay(service::housekeep, interval, interval, TimeUnit.MILLISECONDS);
        return service;
    }

    static Map<String, Object> producerProperties(KafkaSettings kafka, Duration publishTimeout) {
        Map<String, Object> props = kafka.acknowledgedProducerProperties("askpipe-ingest");
        // the producer gives up (and the client gets a 503) within the publish timeout
        int timeout = (int) publishTimeout.toMillis();
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(500, timeout - 500));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        return props;
    }

    /** Publishes abandoned asks from the ledger, deletes expired keys and purges files; never throws. */
    void housekeep() {
        recoverLedger();
        try {
            int purged = files.store().purge();
            if (purged > 0) {
                LOG.debug("purged {} expired, deleted or abandoned files", purged);
            }
        } catch (Exception e) {
            LOG.warn(
                    "files' purge failed, retrying in {} ms: {}",
                    config.recoveryInterval().toMillis(),
                    e.toString());
        }
    }

    private void recoverLedger() {
        try {
            Clock clock = Clock.systemUTC();
            AskLedger.Recovered round = ledger.unpublished(
                    clock.instant().minus(config.abandonedAfter()),
                    100,
                    config.recoveryLease(),
                    ask -> publisher.publish(ask).get(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS));
            round.published()
                    .forEach(ask ->
                            LOG.info("published ask {} from the ledger after its request gave up", ask.requestId()));
            for (AskLedger.Failure failure : round.setAside()) {
                recoveryFailure(failure.reason());
                IngestRoutes.countSetAside(registry, failure.reason());
                LOG.error(
                        "ask {} can never be published ({}): set aside in the ledger, a retry with its key is told so",
                        failure.requestId(),
                        failure.reason());
            }
            for (AskLedger.Failure failure : round.retryLater()) {
                recoveryFailure("transient");
                LOG.warn(
                        "ask {} not published from the ledger, retrying in a later round: {}",
                        failure.requestId(),
                        failure.reason());
            }
            int purged = ledger.purgeExpired(clock.instant());
            if (purged > 0) {
                LOG.debug("deleted {} expired idempotency keys", purged);
            }
        } catch (Exception e) {
            LOG.warn(
                    "ledger housekeeping failed, retrying in {} ms: {}",
                    config.recoveryInterval().toMillis(),
                    e.toString());
        }
    }

    private void recoveryFailure(String reason) {
        Counter.builder("ingest_recovery_failures")
                .tag("reason", reason)
                .description("Asks the ledger's recovery could not publish: transient ones stay for a later round,"
                        + " the others are set aside")
                .register(registry)
                .increment();
    }

    /**
     * Runs one submit's acceptance off the event loop, counted by the in-flight gauge; refuses it
     * with {@link RejectedExecutionException} when {@code INGEST_MAX_IN_FLIGHT} are running.
     */
    private void accept(Runnable acceptance) {
        if (accepting.incrementAndGet() > config.maxInFlight()) {
            accepting.decrementAndGet();
            overloaded.increment();
            throw new RejectedExecutionException(config.maxInFlight() + " submits in flight");
        }
        try {
            blocking.execute(() -> {
                try {
                    acceptance.run();
                } finally {
                    accepting.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            accepting.decrementAndGet();
            throw e;
        }
    }

    /** The users' files. */
    FileService files() {
        return files;
    }

    /** What {@code /readyz} checks: the ledger's database and the Kafka cluster. */
    public Readiness readiness() {
        return new Readiness().add("database", Readiness.database(dataSource)).add("kafka", Readiness.kafka(admin));
    }

    /**
     * Mounts the write routes on {@code router}: {@code POST /v1/ask}, {@code POST
     * /v1/chat/completions}, {@code POST /v1/ask/{id}/cancel}, the files' {@code /v1/files} and the
     * batches' {@code /v1/batches}.
     */
    public void mount(Router router) {
        IngestRoutes submits = new IngestRoutes(
                publisher,
                ledger,
                quotas,
                this::accept,
                config.limits(),
                config.callbacks(),
                config.publishTimeout(),
                config.idempotencyTtl(),
                Clock.systemUTC(),
                faults,
                registry);
        submits.mount(router, auth.bearerAuth());
        new ChatCompletionsRoute(submits, results, config.chatCompletionsWait()).mount(router, auth.bearerAuth());
        new CancelRoute(
                        ledger,
                        cancels,
                        results,
                        blocking,
                        config.publishTimeout(),
                        config.cancelWait(),
                        Clock.systemUTC())
                .mount(router, auth.bearerAuth());
        files.routes(config.files(), blocking).mount(router, auth.bearerAuth());
        batches.routes(quotas, blocking).mount(router, auth.bearerAuth());
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        if (resultTail != null) {
            resultTail.close();
        }
        if (finishedAsks != null) {
            finishedAsks.close();
        }
        if (batches != null) {
            batches.close();
        }
        blocking.close();
        ledger.close();
        Metrics.unbind(kafkaMetrics);
        admin.close(Duration.ofSeconds(5));
        producer.close(Duration.ofSeconds(10));
        cancelProducer.close(Duration.ofSeconds(10));
        auth.close();
        files.close();
        dataSource.close();
    }
}
