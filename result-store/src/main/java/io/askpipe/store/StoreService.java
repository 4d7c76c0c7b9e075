package io.askpipe.store;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.auth.AuthService;
import io.askpipe.common.db.Jooq;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.common.service.Metrics;
import io.askpipe.common.service.Readiness;
import io.askpipe.common.service.Startup;
import io.askpipe.schemas.Topics;
import io.askpipe.store.api.AskWaiters;
import io.askpipe.store.api.ResendLimiter;
import io.askpipe.store.api.StoreRoutes;
import io.askpipe.store.batch.BatchEventWriter;
import io.askpipe.store.golden.GoldenQueries;
import io.askpipe.store.sink.AskPurge;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.sink.AskWriter;
import io.askpipe.store.sink.StoreSchema;
import io.askpipe.store.webhook.WebhookDeliveries;
import io.askpipe.store.webhook.WebhookDispatcher;
import io.askpipe.store.webhook.WebhookSecrets;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
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
 * The result store's running parts: the connection pool (migrated by Flyway at start), the writer
 * that joins each ask's request, progress and result in PostgreSQL, the writer that turns batch
 * events into webhooks, the webhook dispatcher, the accounts callers authenticate against, and the
 * read routes.
 */
public final class StoreService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreService.class);
    private static final int PURGE_BATCH = 1_000;
    /** Batch events are few and small: a poll's are queued in one short transaction. */
    private static final int BATCH_EVENTS_PER_POLL = 500;

    private final HikariDataSource dataSource;
    private final AskRepository asks;
    private final AskWriter writer;
    private final Thread writerThread;
    private final BatchEventWriter batchEvents;
    private final Thread batchEventsThread;
    /** Dead letters of the writers and tombstones of the purge. */
    private final Producer<byte[], byte[]> producer;

    private final AuthService auth;
    private final StoreConfig config;
    private final AskWaiters waiters;
    private final WebhookDeliveries deliveries;
    private final WebhookSecrets secrets;
    private final WebhookDispatcher dispatcher;
    private final GoldenQueries golden;
    private final List<AutoCloseable> kafkaMetrics;
    private final AskPurge purger;
    private final ScheduledExecutorService purge = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("askpipe-store-purge").daemon().factory());

    private StoreService(
            HikariDataSource dataSource,
            AskRepository asks,
            AskWriter writer,
            BatchEventWriter batchEvents,
            Producer<byte[], byte[]> producer,
            AuthService auth,
            StoreConfig config,
            MeterRegistry registry,
            FaultInjector faults,
            List<AutoCloseable> kafkaMetrics) {
        this.kafkaMetrics = kafkaMetrics;
        this.dataSource = dataSource;
        this.config = config;
        this.waiters = AskWaiters.start(config.database(), config.maxWaiters(), config.maxWaitersPerUser());
        var db = Jooq.using(dataSource);
        this.deliveries = new WebhookDeliveries(db, Clock.systemUTC());
        this.secrets = new WebhookSecrets(db, Clock.systemUTC());
        this.golden = new GoldenQueries(db, Clock.systemUTC());
        this.dispatcher = WebhookDispatcher.start(
                deliveries, secrets, config.webhooks(), Clock.systemUTC(), new SplittableRandom(), registry, faults);
        Gauge.builder("store_long_poll_waiters", waiters, AskWaiters::waiting)
                .description("Clients long-polling an ask on this instance right now")
                .register(registry);
        Gauge.builder("store_long_poll_waiting_users", waiters, AskWaiters::waitingUsers)
                .description("Users with a client long-polling on this instance right now")
                .register(registry);
        for (AskWaiters.Refused reason : AskWaiters.Refused.values()) {
            FunctionCounter.builder("store_long_poll_refused", waiters, w -> w.refused(reason))
                    .description("Long polls not parked because too many waited: on this instance (answered at"
                            + " once) or of the caller (a 429)")
                    .tag("reason", reason == AskWaiters.Refused.INSTANCE_FULL ? "instance" : "user")
                    .register(registry);
        }
        waiters.onWebhookDue(dispatcher::wake);
        this.purger = new AskPurge(
                asks, producer, config.kafka().topics(), Clock.systemUTC(), config.retention(), PURGE_BATCH, registry);
        purge.scheduleWithFixedDelay(this::purgeExpired, 1, 60, TimeUnit.MINUTES);
        this.auth = auth;
        this.asks = asks;
        this.writer = writer;
        this.producer = producer;
        this.writerThread = Thread.ofPlatform().name("askpipe-store-writer").start(writer);
        this.batchEvents = batchEvents;
        this.batchEventsThread =
                Thread.ofPlatform().name("askpipe-store-batch-events").start(batchEvents);
    }

    /** {@link #start(StoreConfig, MeterRegistry, Startup, FaultInjector)} with defaults and no faults. */
    public static StoreService start(StoreConfig config, MeterRegistry registry) {
        return start(config, registry, Startup.defaults("result-store"), FaultInjector.NONE);
    }

    /**
     * Starts in {@code startup}'s steps: the database (migrated), the accounts, the topics, then the
     * writers; metrics bound to {@code registry}. Each poll's write and each webhook attempt asks
     * {@code faults} whether a fault strikes ({@code STORE_FAILURE}, {@code WEBHOOK_FAILURE}).
     */
    public static StoreService start(
            StoreConfig config, MeterRegistry registry, Startup startup, FaultInjector faults) {
        HikariDataSource dataSource = startup.step(
                "database",
                Startup.DATABASE_FIX,
                () -> config.database().migratedDataSource("askpipe-store", StoreSchema.SCHEMA));
        AuthService auth = null;
        try {
            auth = startup.step(
                    "accounts", Startup.DATABASE_FIX, () -> AuthService.start(config.database(), config.auth()));
            KafkaSettings kafka = config.kafka();
            Topics topics = kafka.topics();
            startup.step(
                    "kafka topics", Startup.KAFKA_FIX, () -> TopicProvisioner.ensure(kafka, "askpipe-store-admin"));
            var db = Jooq.using(dataSource);
            AskRepository asks = new AskRepository(db, Clock.systemUTC(), config.retention());
            Producer<byte[], byte[]> producer = new KafkaProducer<>(
                    kafka.acknowledgedProducerProperties("askpipe-store-writer"),
                    new ByteArraySerializer(),
                    new ByteArraySerializer());
            Consumer<String, byte[]> writerConsumer = new KafkaConsumer<>(
                    writerConsumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
            AskWriter writer = new AskWriter(writerConsumer, producer, asks, topics, registry, faults);
            LOG.info(
                    "result store writing {} into {}",
                    AskWriter.sources(topics),
                    config.database().jdbcUrl());
            Consumer<String, byte[]> batchEventConsumer = new KafkaConsumer<>(
                    batchEventConsumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
            BatchEventWriter batchEvents = new BatchEventWriter(
                    batchEventConsumer, producer, db, topics, Clock.systemUTC(), config.retention(), registry);
            List<AutoCloseable> kafkaMetrics =
                    Metrics.bindKafkaClients(registry, writerConsumer, batchEventConsumer, producer);
            return new StoreService(
                    dataSource, asks, writer, batchEvents, producer, auth, config, registry, faults, kafkaMetrics);
        } catch (RuntimeException e) {
            if (auth != null) {
                auth.close();
            }
            dataSource.close();
            throw e;
        }
    }

    /**
     * The writer's consumer properties: the group {@code STORE_APPLICATION_ID} and {@code -asks},
     * every instance's, over the request topics, {@code ask.progress} and {@code ask.results}; read
     * committed, from the topics' beginning when the group is new, committing by hand after each
     * poll is in the database, {@code STORE_WRITE_BATCH} records a poll at most, with fetches sized
     * for the largest ask ({@code ASK_MAX_BYTES}).
     */
    static Map<String, Object> writerConsumerProperties(StoreConfig config) {
        Map<String, Object> props = config.kafka().consumerProperties("askpipe-store-writer");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId() + "-asks");
        // static membership: restarted after a crash, the store takes its partitions back at once
        // instead of waiting out the dead member's session
        props.putAll(config.kafka().staticMembership("store-asks"));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.writeBatch());
        return props;
    }

    /**
     * The batch event writer's consumer: its own group ({@code STORE_APPLICATION_ID} and {@code
     * -batch-events}), reading the topic from its beginning when the group is new, committing by
     * hand after each poll's deliveries are in the outbox.
     */
    static Map<String, Object> batchEventConsumerProperties(StoreConfig config) {
        Map<String, Object> props = config.kafka().consumerProperties("askpipe-store-batch-events");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId() + "-batch-events");
        props.putAll(config.kafka().staticMembership("store-batch-events"));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BATCH_EVENTS_PER_POLL);
        return props;
    }

    /** Runs the retention purge; never throws: what failed is tried again at the next run. */
    private void purgeExpired() {
        try {
            purger.run();
            Instant cutoff = Clock.systemUTC().instant().minus(config.retention());
            int batchWebhooksGone = deliveries.purgeBatchEvents(cutoff, PURGE_BATCH);
            if (batchWebhooksGone > 0) {
                LOG.info("deleted {} webhook deliveries of batch events created before {}", batchWebhooksGone, cutoff);
            }
            int secretsGone = secrets.purgeExpired();
            if (secretsGone > 0) {
                LOG.info("deleted {} webhook secrets past their grace", secretsGone);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("purging expired asks failed, retrying in an hour: {}", e.toString());
        }
    }

    /** Mounts the read routes on {@code router}. */
    public void mount(Router router) {
        StoreRoutes.mount(
                router,
                auth.bearerAuth(),
                asks,
                waiters,
                new StoreRoutes.Webhooks(
                        deliveries,
                        secrets,
                        config.webhooks().secretGrace(),
                        new ResendLimiter(
                                config.webhooks().resendLimit(),
                                config.webhooks().resendWindow())));
    }

    /** Mounts the operator routes ({@code GET /observability}) on the operations router {@code ops}. */
    public void mountOperations(Router ops) {
        StoreRoutes.mountOperations(ops, golden);
    }

    /** What {@code /readyz} checks: the database, and the writer of the asks in its group. */
    public Readiness readiness() {
        return new Readiness().add("database", Readiness.database(dataSource)).add("writer", writer::inGroup);
    }

    @Override
    public void close() {
        purge.shutdownNow();
        dispatcher.close();
        waiters.close();
        // the writers stop at once; a poll they had not committed is read again at the next start
        writer.stop();
        batchEvents.stop();
        try {
            writerThread.join(Duration.ofSeconds(30));
            batchEventsThread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Metrics.unbind(kafkaMetrics);
        producer.close(Duration.ofSeconds(5));
        auth.close();
        dataSource.close();
    }
}
