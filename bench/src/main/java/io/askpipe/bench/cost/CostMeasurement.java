package io.askpipe.bench.cost;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.bench.accept.IngestLedger;
import io.askpipe.bench.accept.IngestProducer;
import io.askpipe.bench.load.AskLoadResult;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.Jooq;
import io.askpipe.embedded.Directories;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.router.RouterConfig;
import io.askpipe.router.RouterService;
import io.askpipe.router.process.RouterResults;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import io.askpipe.store.StoreConfig;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.sink.StoreSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One run of the cost model: the infrastructure started, then every step in the order an ask takes
 * them, each on the production class and with the settings a deployment has by default, and each
 * set of resources (a pool, a producer, a consumer, a server) closed before the next is opened.
 */
public final class CostMeasurement {
    /** The defaults of every setting: what a deployment runs with unless told otherwise. */
    private static final Env DEFAULTS = Env.of(Map.of());

    private final CostStack stack;
    private final CostModelOptions options;
    private final Asks asks;
    private final StepRunner runner;
    private final Clock clock;

    private CostMeasurement(CostStack stack, CostModelOptions options, Asks asks, Clock clock) {
        this.stack = stack;
        this.options = options;
        this.asks = asks;
        this.runner = new StepRunner(stack.databaseProcesses(), options);
        this.clock = clock;
    }

    /** Starts the infrastructure, measures every step and stops it again. */
    public static CostModelResult run(CostModelOptions options) throws Exception {
        Instant startedAt = Instant.now();
        Clock clock = Clock.systemUTC();
        try (CostStack stack = CostStack.start()) {
            Asks asks = Asks.of(options.total(), options.recordBytes(), clock);
            CostMeasurement measurement = new CostMeasurement(stack, options, asks, clock);
            List<StepResult> steps = new ArrayList<>();
            steps.addAll(measurement.ledger());
            steps.addAll(measurement.kafka());
            steps.add(measurement.transactions());
            steps.addAll(measurement.router());
            steps.addAll(measurement.store());
            steps.addAll(measurement.json());
            steps.add(measurement.logLine());
            steps.add(measurement.http());
            // last, once the JIT has compiled what the steps run, so that it measures the idle stack
            StepRunner.Idle idle = measurement.runner.idle(Duration.ofSeconds(2));
            return new CostModelResult(startedAt, AskLoadResult.Machine.here(), options, idle, steps);
        }
    }

    /** Steps 1 and 2, on ingest's pool with its statement bounds. */
    private List<StepResult> ledger() throws Exception {
        try (IngestLedger ledger = IngestLedger.open(stack.database(), "cost-ingest", clock)) {
            return List.of(
                    runner.measure(new LedgerClaims(ledger, asks, options.batch())),
                    runner.measure(new LedgerMarks(ledger, asks, options.batch())));
        }
    }

    /** Steps 3 and 4: the asks produced as ingest does, then consumed as the router does. */
    private List<StepResult> kafka() throws Exception {
        Topics topics = stack.kafka().topics();
        try (IngestProducer producer = IngestProducer.open(stack.kafka(), "cost-ingest")) {
            AskPublisher publisher = producer.publisher();
            StepResult produce = runner.measure(new AskProduce(publisher, asks, options.batch()));
            RouterConfig router = RouterConfig.local(
                    stack.kafka(), stack.database(), Map.of(RouterConfig.GROUP_ID.name(), "cost-router"));
            try (AskConsume consume = new AskConsume(
                    new KafkaConsumer<>(
                            RouterService.consumerProperties(router),
                            new StringDeserializer(),
                            new ByteArrayDeserializer()),
                    topics.allRequestNames(),
                    router.commitInterval(),
                    publisher,
                    asks)) {
                return List.of(produce, runner.measure(consume));
            }
        }
    }

    /** The result store's Streams commit interval before ADR 0031, for step 5. */
    private static final Duration STREAMS_COMMIT_INTERVAL = Duration.ofMillis(20);

    /** Step 5: the same records in transactions at the result store's former commit interval. */
    private StepResult transactions() throws Exception {
        Topic<String, AskRequest> topic = stack.transactionalKafka().topics().requests();
        Map<String, Object> props = stack.transactionalKafka().acknowledgedProducerProperties("cost-store");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cost-store-0");
        Producer<String, AskRequest> producer = new KafkaProducer<>(
                props, topic.keySerde().serializer(), topic.valueSerde().serializer());
        try (TransactionalProduce step = new TransactionalProduce(
                producer,
                topic.name(),
                stack.kafka().topics().requests().name(),
                "cost-store",
                asks,
                options.batch(),
                STREAMS_COMMIT_INTERVAL)) {
            producer.initTransactions();
            return runner.measure(step);
        }
    }

    /** Step 6, on the router's pool. */
    private List<StepResult> router() throws Exception {
        try (HikariDataSource pool = stack.database().migratedDataSource("cost-router", RouterResults.SCHEMA);
                RouterResults results = new RouterResults(Jooq.using(pool))) {
            return List.of(
                    runner.measure(new DedupLookups(results, asks, options.batch())),
                    runner.measure(new DedupKeeps(results, asks, options.batch())));
        }
    }

    /** Step 7, on the result store's pool. */
    private List<StepResult> store() throws Exception {
        try (HikariDataSource pool = stack.database().migratedDataSource("cost-store", StoreSchema.SCHEMA)) {
            AskRepository repository = new AskRepository(Jooq.using(pool), clock, DEFAULTS.get(StoreConfig.RETENTION));
            return List.of(
                    runner.measure(new RowWrites(repository, asks, options.batch(), false)),
                    runner.measure(new RowWrites(repository, asks, options.batch(), true)));
        }
    }

    /** Step 8, with the topics' own serdes. */
    private List<StepResult> json() throws Exception {
        Topics topics = stack.kafka().topics();
        return List.of(
                runner.measure(
                        new JsonRoundTrip<>("8a. JSON: AskRequest written and read", topics.requests(), asks::request)),
                runner.measure(
                        new JsonRoundTrip<>("8b. JSON: AskResult written and read", topics.results(), asks::result)));
    }

    /** Step 9, to a file deleted afterwards. */
    private StepResult logLine() throws Exception {
        Path directory = Files.createTempDirectory("askpipe-cost-log-");
        try (JsonFileLog log = JsonFileLog.to(directory.resolve("asks.log"))) {
            return runner.measure(new AskLogLine(log, asks));
        } finally {
            Directories.deleteRecursively(directory);
        }
    }

    /** Step 10. */
    private StepResult http() throws Exception {
        try (HttpPost http = HttpPost.start(asks.clientBody(), options.batch())) {
            return runner.measure(http);
        }
    }
}
