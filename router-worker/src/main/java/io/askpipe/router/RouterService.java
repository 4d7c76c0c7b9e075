package io.askpipe.router;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.Jooq;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.common.service.Metrics;
import io.askpipe.common.service.Readiness;
import io.askpipe.common.service.Startup;
import io.askpipe.router.backend.Backend;
import io.askpipe.router.cancel.CancelGuard;
import io.askpipe.router.cancel.CancelTail;
import io.askpipe.router.cancel.CancelledAsks;
import io.askpipe.router.cancel.RunningAsks;
import io.askpipe.router.consume.ConsumerLoop;
import io.askpipe.router.limit.ProviderLimits;
import io.askpipe.router.process.AskProcessor;
import io.askpipe.router.process.CancelSettler;
import io.askpipe.router.process.ResultPurge;
import io.askpipe.router.process.RouterResults;
import io.askpipe.router.resilience.ResilientCaller;
import io.askpipe.router.route.AskHandler;
import io.askpipe.router.route.BackendRegistry;
import io.askpipe.router.route.Backends;
import io.askpipe.router.route.RouterMetrics;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router worker as a service, in front of its running parts: its database (migrated at start),
 * the backend registry, the resilience policies, the producers, the {@link AskProcessor} and the
 * {@link ConsumerLoop} on its own thread, and the cancel path: the {@link CancelTail} every worker
 * runs and its share of the {@link CancelSettler} group.
 */
public final class RouterService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterService.class);
    /** What to check when the backends' step fails. */
    private static final String BACKENDS_FIX =
            "Check ASKPIPE_BACKENDS and the OPENAI_* and LLAMA_* settings (docs/operations.md)";
    /** How long a starting worker reads the retained cancels before it takes asks. */
    private static final Duration CANCELS_CATCH_UP = Duration.ofSeconds(30);
    /** How long a stopped worker's interrupted asks get to end before the pool closes under them. */
    private static final Duration ASKS_ENDED_WAIT = Duration.ofSeconds(5);

    private final HikariDataSource dataSource;
    private final RouterResults results;
    private final ResultPurge purge;
    /** Sends results to {@code ask.results}. */
    private final Producer<String, AskResult> resultProducer;
    /** Sends the records its senders serialize themselves: dead letters and progress. */
    private final Producer<byte[], byte[]> rawProducer;

    private final ResilientCaller caller;
    private final ProviderLimits limits;
    private final BackendRegistry backends;
    private final CancelTail cancelTail;
    private final CancelSettler cancelSettler;
    private final AskProcessor processor;
    private final ConsumerLoop loop;
    private final Thread thread;
    private final Duration grace;

    private final List<AutoCloseable> kafkaMetrics;

    private RouterService(
            HikariDataSource dataSource,
            RouterResults results,
            ResultPurge purge,
            Producer<String, AskResult> resultProducer,
            Producer<byte[], byte[]> rawProducer,
            ResilientCaller caller,
            ProviderLimits limits,
            BackendRegistry backends,
            CancelTail cancelTail,
            CancelSettler cancelSettler,
            AskProcessor processor,
            ConsumerLoop loop,
            Duration grace,
            List<AutoCloseable> kafkaMetrics) {
        this.kafkaMetrics = kafkaMetrics;
        this.dataSource = dataSource;
        this.results = results;
        this.purge = purge;
        this.resultProducer = resultProducer;
        this.rawProducer = rawProducer;
        this.caller = caller;
        this.limits = limits;
        this.backends = backends;
        this.cancelTail = cancelTail;
        this.cancelSettler = cancelSettler;
        this.processor = processor;
        this.loop = loop;
        this.grace = grace;
        this.thread = Thread.ofPlatform().name("router-worker").unstarted(loop);
        this.thread.setUncaughtExceptionHandler((t, e) -> LOG.error("router worker died", e));
    }

    /** {@link #start(RouterConfig, MeterRegistry, Startup, FaultInjector)} with defaults and no faults. */
    public static RouterService start(RouterConfig config, MeterRegistry registry) {
        return start(config, registry, Startup.defaults("router-worker"), FaultInjector.NONE);
    }

    /**
     * Starts in {@code startup}'s steps: the backends, the router's tables (migrated), the topics;
     * then the worker joins its group. Each backend call, and the moment between keeping a result
     * and publishing it, asks {@code faults} whether a fault strikes ({@code VENDOR_LATENCY},
     * {@code VENDOR_FAILURE}, {@code WORKER_CRASH}).
     */
    public static RouterService start(
            RouterConfig config, MeterRegistry registry, Startup startup, FaultInjector faults) {
        return start(
                config,
                registry,
                startup,
                faults,
                startup.begin(
                        "backends",
                        BACKENDS_FIX,
                        () -> Backends.registry(config.routing().backends(), config.backends())));
    }

    /**
     * Asks every configured vendor whether it answers and logs what each said. Never fails: the
     * worker still starts, and asks for a vendor that is down go to their fallbacks.
     */
    static void ping(BackendRegistry backends) {
        for (Backend backend : backends.available()) {
            try {
                backend.ping()
                        .ifPresentOrElse(
                                problem -> LOG.warn(
                                        "backend {} did not answer its start-up ping: {}", backend.name(), problem),
                                () -> LOG.info("backend {} answered its start-up ping", backend.name()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The properties of the producers of results and dead letters: acknowledged, and sized for any
     * of askpipe's records ({@code ASK_MAX_BYTES}).
     */
    static Map<String, Object> producerProperties(RouterConfig config) {
        return config.kafka().acknowledgedProducerProperties("askpipe-router");
    }

    /**
     * The properties of the consumer of asks: its group, committing by hand, reading only what was
     * committed, with fetches sized for the largest ask ({@code ASK_MAX_BYTES}).
     */
    public static Map<String, Object> consumerProperties(RouterConfig config) {
        KafkaSettings kafka = config.kafka();
        Map<String, Object> props = kafka.consumerProperties("askpipe-router");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.putAll(kafka.staticMembership("router"));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // the loop polls every 50 ms; only a drain at revocation or shutdown holds it longer
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int)
                Math.max(300_000, config.shutdownGrace().toMillis() + 60_000));
        return props;
    }

    /**
     * The properties of the consumer of the workers' cancel group ({@code ROUTER_GROUP_ID} with
     * {@code -cancels}): one worker settles each cancel, committing by hand once it is published.
     */
    static Map<String, Object> cancelConsumerProperties(RouterConfig config) {
        Map<String, Object> props = config.kafka().consumerProperties("askpipe-router-cancels");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId() + "-cancels");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    /** Starts with the given backends, as {@link #start(RouterConfig, MeterRegistry, Startup, FaultInjector)} does. */
    static RouterService start(
            RouterConfig config,
            MeterRegistry registry,
            Startup startup,
            FaultInjector faults,
            BackendRegistry backends) {
        return start(config, registry, startup, faults, startup.begin("backends", BACKENDS_FIX, () -> backends));
    }

    /**
     * The backends, the database and the topics start side by side (a restarted worker's partitions
     * wait for it: its start-up is their downtime); the cancels' catch-up reads while the clients
     * are made.
     */
    private static RouterService start(
            RouterConfig config,
            MeterRegistry registry,
            Startup startup,
            FaultInjector faults,
            Startup.Pending<BackendRegistry> backendsStep) {
        KafkaSettings kafka = config.kafka();
        Topics topics = kafka.topics();
        Startup.Pending<HikariDataSource> database = startup.begin(
                "database",
                Startup.DATABASE_FIX,
                () -> config.database().migratedDataSource("askpipe-router", RouterResults.SCHEMA));
        Startup.Pending<Void> provisioned = startup.begin("kafka topics", Startup.KAFKA_FIX, () -> {
            TopicProvisioner.ensure(kafka, "askpipe-router-admin");
            return null;
        });
        BackendRegistry backends;
        try {
            backends = backendsStep.await();
        } catch (RuntimeException e) {
            database.discard(HikariDataSource::close);
            provisioned.discard(none -> {});
            throw e;
        }
        HikariDataSource dataSource;
        try {
            if (startup.vendorPings()) {
                startup.step("vendor pings", "A vendor that does not answer only logs a warning", () -> ping(backends));
            }
            provisioned.await();
            dataSource = database.await();
        } catch (RuntimeException e) {
            provisioned.discard(none -> {});
            database.discard(HikariDataSource::close);
            backends.close();
            throw e;
        }
        Clock clock = Clock.systemUTC();
        CancelledAsks cancelled = new CancelledAsks(config.retention(), clock);
        RunningAsks running = new RunningAsks();
        Startup.Pending<CancelTail> cancelCatchUp = startup.begin(
                "cancels",
                Startup.KAFKA_FIX,
                () -> CancelTail.start(kafka, topics.cancels(), cancelled, running, CANCELS_CATCH_UP));
        ProviderLimits limits = ProviderLimits.start(config.limits(), dataSource, config.database(), registry, clock);
        ResilientCaller caller = new ResilientCaller(config.resilience(), limits);
        AskHandler handler = new AskHandler(
                config.routing(),
                backends,
                caller,
                config.resilience().askDeadline(),
                clock,
                new RouterMetrics(registry),
                faults);

        Map<String, Object> producerProps = producerProperties(config);
        Producer<String, AskResult> resultProducer = new KafkaProducer<>(
                producerProps,
                topics.results().keySerde().serializer(),
                topics.results().valueSerde().serializer());
        Producer<byte[], byte[]> rawProducer =
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());

        var consumer =
                new KafkaConsumer<>(consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
        RouterResults results = new RouterResults(Jooq.using(dataSource));

        CancelTail cancelTail;
        try {
            cancelTail = cancelCatchUp.await();
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            results.close();
            resultProducer.close(Duration.ZERO);
            rawProducer.close(Duration.ZERO);
            caller.close();
            backends.close();
            dataSource.close();
            throw e;
        }
        CancelSettler cancelSettler = new CancelSettler(
                        new KafkaConsumer<>(
                                cancelConsumerProperties(config),
                                new StringDeserializer(),
                                new ByteArrayDeserializer()),
                        topics.cancels(),
                        results,
                        resultProducer,
                        topics.results(),
                        kafka.sizes(),
                        config.routing(),
                        config.retention(),
                        clock,
                        registry)
                .start();

        AskProcessor processor = new AskProcessor(
                results,
                handler,
                new CancelGuard(cancelled, running, config.routing(), clock, registry),
                resultProducer,
                rawProducer,
                topics,
                kafka.sizes(),
                config.progressAfter(),
                config.retention(),
                registry,
                faults,
                clock);
        ConsumerLoop loop = new ConsumerLoop(
                consumer,
                rawProducer,
                topics,
                processor::process,
                new ConsumerLoop.Limits(config.maxInFlight(), config.commitInterval(), config.shutdownGrace()),
                registry);
        Gauge inFlight = Gauge.builder("router_in_flight", loop, ConsumerLoop::inFlight)
                .description("Asks this worker is handling right now")
                .register(registry);
        List<AutoCloseable> bound =
                new ArrayList<>(Metrics.bindKafkaClients(registry, consumer, resultProducer, rawProducer));
        // a service started in its place (the dev stack after a crash) registers the gauge of its own worker
        bound.add(() -> registry.remove(inFlight));
        RouterService service = new RouterService(
                dataSource,
                results,
                ResultPurge.start(results, config.retention(), clock),
                resultProducer,
                rawProducer,
                caller,
                limits,
                backends,
                cancelTail,
                cancelSettler,
                processor,
                loop,
                config.shutdownGrace(),
                bound);
        service.thread.start();
        LOG.info(
                "router worker consuming {} as group {} with up to {} asks in flight",
                topics.allRequestNames(),
                config.groupId(),
                config.maxInFlight());
        return service;
    }

    /** What {@code /readyz} checks: the database and the worker's place in its consumer group. */
    public Readiness readiness() {
        return new Readiness().add("database", Readiness.database(dataSource)).add("consumer", loop::inGroup);
    }

    /** Asks this service's worker is handling right now. */
    int inFlight() {
        return loop.inFlight();
    }

    /** Finishes running asks within the grace period, commits, and stops. */
    @Override
    public void close() {
        cancelSettler.close();
        processor.stop(); // a database or Kafka step failing from now on gives its ask up
        limits.endWaits(); // asks waiting for a provider's permit go back to the next owner at once
        loop.stop();
        join(grace.plusSeconds(15));
        release(Duration.ofSeconds(10));
    }

    /**
     * Stops at once, committing nothing more and abandoning running asks, as a crash would; for
     * failover tests and drills.
     */
    public void halt() {
        cancelSettler.close();
        processor.stop();
        loop.halt();
        join(Duration.ofSeconds(15));
        release(Duration.ZERO);
    }

    private void join(Duration timeout) {
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void release(Duration producerTimeout) {
        try {
            // the loop has handed back (interrupted) what still ran; those threads end within moments
            if (!loop.awaitAsksEnded(ASKS_ENDED_WAIT)) {
                LOG.warn("router asks still running {} after the worker stopped; closing anyway", ASKS_ENDED_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        processor.close();
        cancelTail.close();
        purge.close();
        Metrics.unbind(kafkaMetrics);
        caller.close();
        limits.close();
        backends.close();
        resultProducer.close(producerTimeout);
        rawProducer.close(producerTimeout);
        results.close();
        dataSource.close();
    }
}
