package io.askpipe.ingest.batch;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.Jooq;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.batch.api.BatchRoutes;
import io.askpipe.ingest.batch.run.BatchRunner;
import io.askpipe.ingest.batch.run.RunnerParts;
import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.batch.store.PostgresBatches;
import io.askpipe.ingest.batch.store.Settlements;
import io.askpipe.ingest.files.FileStore;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.ingest.publish.CancelPublisher;
import io.askpipe.ingest.quota.Quotas;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.BatchEvent;
import io.askpipe.schemas.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.jooq.DSLContext;

/**
 * The batches as a running part of the ingest service: a pool of connections of their own (whose
 * statements may run a minute: a thousand lines inserted, or a cursor held while output files are
 * written, on a loaded machine, where the ledger's allow about a second), the producer of their
 * events, the runner that takes every batch through its statuses, the consumer group that settles
 * their lines, and the routes, opened together and released by {@link #close()}. Thread-safe.
 */
public final class Batches implements AutoCloseable {
    private static final int CONNECTIONS = 6;
    private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);

    private final HikariDataSource dataSource;
    private final PostgresBatches batches;
    private final FileStore files;
    private final CallbackPolicy callbacks;
    private final Clock clock;
    private Producer<String, BatchEvent> events;
    private BatchRunner runner;
    private Settlements settlements;

    private Batches(HikariDataSource dataSource, FileStore files, CallbackPolicy callbacks, Clock clock) {
        this.dataSource = dataSource;
        this.batches = new PostgresBatches(db());
        this.files = files;
        this.callbacks = callbacks;
        this.clock = clock;
    }

    /**
     * What the batches work with besides their own pool and producer: {@code producerProperties}
     * are those of the producer of their events (acknowledged, within the publish timeout).
     */
    public record Parts(
            KafkaSettings kafka,
            FileStore files,
            long maxLines,
            AskPublisher asks,
            CancelPublisher cancels,
            Map<String, Object> producerProperties,
            IngestLimits limits,
            CallbackPolicy callbacks,
            Duration publishTimeout,
            Clock clock) {}

    /**
     * Opens the pool ({@code askpipe-ingest-batches}) on {@code database}'s {@code schema}, already
     * migrated, and starts the runner as {@code settings} say; the lines are settled by {@link #settle}.
     */
    public static Batches start(BatchSettings settings, DatabaseSettings database, String schema, Parts parts) {
        HikariDataSource dataSource =
                database.dataSource("askpipe-ingest-batches", schema, CONNECTIONS, LOCK_TIMEOUT, STATEMENT_TIMEOUT);
        Batches started = new Batches(dataSource, parts.files(), parts.callbacks(), parts.clock());
        try {
            DSLContext db = started.db();
            Topic<String, BatchEvent> eventTopic = parts.kafka().topics().batchEvents();
            started.events = new KafkaProducer<>(
                    parts.producerProperties(),
                    eventTopic.keySerde().serializer(),
                    eventTopic.valueSerde().serializer());
            BatchLines lines = new BatchLines(db);
            Settlements settlements = new Settlements(db);
            started.settlements = settlements;
            started.runner = BatchRunner.start(new RunnerParts(
                    started.batches,
                    lines,
                    settlements,
                    parts.files(),
                    parts.asks(),
                    parts.cancels(),
                    started.events,
                    eventTopic,
                    parts.limits(),
                    parts.callbacks(),
                    settings.pollInterval(),
                    settings.expansionChunk(),
                    settings.lease(),
                    settings.expiryGrace(),
                    parts.maxLines(),
                    parts.publishTimeout(),
                    parts.clock()));
            return started;
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    /** The routes over these batches, admitting new ones by {@code quotas}, their database work on {@code blocking}. */
    public BatchRoutes routes(Quotas quotas, Executor blocking) {
        return new BatchRoutes(batches, files, quotas, callbacks, blocking, runner::wake, clock);
    }

    private DSLContext db() {
        return Jooq.using(dataSource);
    }

    /**
     * Settles the batch lines of {@code results}, one transaction for them all (a result read twice
     * settles its line once; results of asks that are no batch line are passed over); a batch whose
     * last line this settled wakes this instance's runner.
     */
    public void settle(Collection<AskResult> results) {
        if (!settlements.settle(results, clock.instant()).isEmpty()) {
            runner.wake();
        }
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
        if (events != null) {
            events.close(Duration.ofSeconds(10));
        }
        dataSource.close();
    }
}
