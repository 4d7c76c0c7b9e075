package io.askpipe.ingest.batch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The batches' rows on a real PostgreSQL: leases, conditional moves, lines stored once, and settlement. */
class BatchStoreIT {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

    private HikariDataSource dataSource;
    private DSLContext db;
    private PostgresBatches batches;
    private BatchLines lines;
    private Settlements settlements;

    @BeforeEach
    void start() {
        String name = SharedInfrastructure.uniqueName("batchstore");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        database.migrate("it-migrate", PostgresAskLedger.SCHEMA);
        dataSource = database.dataSource("it-batches", PostgresAskLedger.SCHEMA, 4);
        db = DSL.using(dataSource, SQLDialect.POSTGRES);
        batches = new PostgresBatches(db);
        lines = new BatchLines(db);
        settlements = new Settlements(db);
    }

    @AfterEach
    void stop() {
        dataSource.close();
    }

    private Batch create(String user, Optional<String> callback) {
        Batch batch = new Batch(
                BatchIds.batch(Clock.systemUTC()),
                user,
                "file-x",
                "/v1/chat/completions",
                "24h",
                Map.of("k", "v"),
                callback,
                Duration.ofDays(30),
                BatchStatus.VALIDATING,
                Batch.Counts.NONE,
                Batch.Usage.NONE,
                List.of(),
                Optional.empty(),
                Optional.empty(),
                new Batch.Timeline(
                        NOW,
                        Optional.empty(),
                        NOW.plus(Duration.ofHours(24)),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty()),
                Batch.Checkpoint.START,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        batches.insert(batch);
        return batch;
    }

    private Batch leaseFor(String owner) {
        return batches.lease(NOW, NOW, owner, NOW.plusSeconds(30)).orElseThrow();
    }

    private static List<BatchLines.NewLine> newLines(int from, int to) {
        List<BatchLines.NewLine> fresh = new ArrayList<>();
        for (int line = from; line <= to; line++) {
            fresh.add(new BatchLines.NewLine(line, "c" + line, UUID.randomUUID().toString()));
        }
        return fresh;
    }

    @Test
    void aBatchReadsBackAsItWasStoredAndOnlyByItsOwner() {
        Batch batch = create("alice", Optional.of("https://example.com/hook"));

        Batch read = batches.find("alice", batch.id()).orElseThrow();
        assertThat(read).isEqualTo(batch);
        assertThat(batches.find("bob", batch.id())).isEmpty();
    }

    @Test
    void oneRunnerAtATimeLeasesABatchAndAnotherTakesItOnceTheLeaseRanOut() {
        Batch batch = create("alice", Optional.empty());

        assertThat(leaseFor("one").id()).isEqualTo(batch.id());
        assertThat(batches.lease(NOW, NOW, "two", NOW.plusSeconds(30)))
                .as("leased")
                .isEmpty();
        assertThat(batches.inProgress(batch.id(), "two", 3, 100, NOW))
                .as("not two's lease")
                .isFalse();

        Instant later = NOW.plusSeconds(31);
        assertThat(batches.lease(later, later, "two", later.plusSeconds(30)))
                .map(Batch::id)
                .contains(batch.id());
        assertThat(batches.renew(batch.id(), "one", later.plusSeconds(60))).isFalse();
        assertThat(batches.inProgress(batch.id(), "two", 3, 100, later)).isTrue();
        assertThat(batches.find(batch.id()).orElseThrow().status()).isEqualTo(BatchStatus.IN_PROGRESS);
    }

    @Test
    void aValidatingBatchCancelledIsCancelledAtOnceAndAnInProgressOneIsCancelling() {
        Batch validating = create("alice", Optional.of("https://example.com/hook"));
        Batch running = create("alice", Optional.empty());
        leaseFor("r");
        leaseFor("r");
        batches.inProgress(running.id(), "r", 2, 10, NOW);

        Batch cancelled = batches.cancel("alice", validating.id(), NOW, "evt_1").orElseThrow();
        Batch cancelling = batches.cancel("alice", running.id(), NOW, "evt_2").orElseThrow();

        assertThat(cancelled.status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(cancelled.timeline().cancelledAt()).contains(NOW);
        assertThat(cancelled.eventId()).contains("evt_1");
        assertThat(cancelling.status()).isEqualTo(BatchStatus.CANCELLING);
        assertThat(cancelling.timeline().cancelledAt()).isEmpty();
        assertThat(cancelling.eventId()).as("no callback, no event").isEmpty();
        assertThat(batches.cancel("bob", running.id(), NOW, "evt_3")).isEmpty();
        assertThat(batches.cancel("alice", cancelled.id(), NOW.plusSeconds(5), "evt_4"))
                .map(Batch::status)
                .as("an ended batch stays as it is")
                .contains(BatchStatus.CANCELLED);
        assertThat(batches.inProgress(validating.id(), "r", 1, 1, NOW))
                .as("the cancel won")
                .isFalse();
    }

    @Test
    void aLineKeepsTheRequestIdOfItsFirstInsertAndIsSettledOnceWithItsBatchsCountsAndTokens() {
        Batch batch = create("alice", Optional.empty());
        leaseFor("r");
        batches.inProgress(batch.id(), "r", 4, 100, NOW);

        List<BatchLines.Line> first = lines.store(batch.id(), newLines(1, 3));
        List<BatchLines.Line> again = lines.store(batch.id(), newLines(2, 4));
        assertThat(again.subList(0, 2)).isEqualTo(first.subList(1, 3));
        assertThat(again).hasSize(3);

        String ok = first.get(0).requestId();
        String bad = first.get(1).requestId();
        AskResult success = AskResult.succeeded(
                ok, "dryrun", "m", "hi", Usage.of(10, 5).withCachedTokens(4).withReasoningTokens(2), 5, 1, NOW);
        AskResult failure =
                AskResult.failed(bad, "dryrun", "m", new AskError(ErrorType.UPSTREAM_ERROR, "boom"), 5, 3, NOW);
        AskResult stranger = AskResult.succeeded(
                UUID.randomUUID().toString(), "dryrun", "m", "not a line", Usage.of(1, 1), 5, 1, NOW);

        assertThat(settlements.settle(List.of(success, failure, stranger), NOW)).isEmpty();
        assertThat(settlements.settle(List.of(success), NOW)).as("read twice").isEmpty();
        Batch counted = batches.find(batch.id()).orElseThrow();
        assertThat(counted.counts()).isEqualTo(new Batch.Counts(4, 1, 1));
        assertThat(counted.usage()).isEqualTo(new Batch.Usage(10, 5, 15, 4, 2));
        assertThat(db.fetchValue("SELECT sum(tokens)::bigint FROM user_tokens WHERE user_id = 'alice'", Long.class))
                .isEqualTo(15L);

        List<BatchLines.Line> stored = new ArrayList<>();
        lines.forEach(batch.id(), stored::add);
        assertThat(stored)
                .extracting(BatchLines.Line::outcome)
                .containsExactly(
                        Optional.of(LineOutcome.SUCCEEDED),
                        Optional.of(LineOutcome.FAILED),
                        Optional.empty(),
                        Optional.empty());
        assertThat(stored.getFirst().result())
                .hasValueSatisfying(json -> assertThat(json).contains("\"hi\""));

        List<AskResult> rest = List.of(
                AskResult.succeeded(stored.get(2).requestId(), "dryrun", "m", "x", Usage.of(1, 1), 1, 1, NOW),
                AskResult.cancelled(stored.get(3).requestId(), "dryrun", "m", "cancelled", 0, 0, NOW));
        assertThat(settlements.settle(rest, NOW)).containsExactly(batch.id());
        assertThat(batches.find(batch.id()).orElseThrow().counts()).isEqualTo(new Batch.Counts(4, 2, 2));
    }

    @Test
    void linesNotQueuedAreSettledWithTheCheckpointInOneTransactionOfTheLease() {
        Batch batch = create("alice", Optional.empty());
        leaseFor("r");
        batches.inProgress(batch.id(), "r", 5, 500, NOW);
        lines.store(batch.id(), newLines(1, 2)); // a chunk inserted, never checkpointed

        assertThat(lines.settleUnqueued(batch.id(), "r", newLines(1, 5), LineOutcome.CANCELLED, NOW, 5, 500))
                .as("the two rows that exist stay as they are")
                .isEqualTo(3);
        Batch after = batches.find(batch.id()).orElseThrow();
        assertThat(after.counts()).isEqualTo(new Batch.Counts(5, 0, 3));
        assertThat(after.checkpoint()).isEqualTo(new Batch.Checkpoint(500, 5, 500));
        assertThat(lines.waiting(batch.id(), 0, 10))
                .extracting(BatchLines.Line::line)
                .containsExactly(1, 2);

        assertThatThrownBy(() ->
                        lines.settleUnqueued(batch.id(), "other", newLines(6, 6), LineOutcome.CANCELLED, NOW, 6, 600))
                .isInstanceOf(RuntimeException.class);
        assertThat(lines.waiting(batch.id(), 0, 10)).as("rolled back").hasSize(2);

        assertThat(lines.settleWaiting(batch.id(), LineOutcome.EXPIRED, NOW)).isEqualTo(2);
        assertThat(batches.find(batch.id()).orElseThrow().counts().settled()).isTrue();
        assertThat(lines.any(batch.id(), LineOutcome.EXPIRED)).isTrue();
    }

    @Test
    void aUsersBatchesAreListedNewestFirstAfterACursor() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(create("alice", Optional.empty()).id());
        }
        create("bob", Optional.empty());

        assertThat(batches.list("alice", Optional.empty(), 3))
                .extracting(Batch::id)
                .containsExactly(ids.get(4), ids.get(3), ids.get(2));
        assertThat(batches.list("alice", Optional.of(ids.get(2)), 3))
                .extracting(Batch::id)
                .containsExactly(ids.get(1), ids.get(0));
    }

    @Test
    void anEndedBatchIsLeasedOnlyWhileItsEventWaitsAndIsDeletedPastItsRetention() {
        Batch batch = create("alice", Optional.of("https://example.com/hook"));
        leaseFor("r");
        batches.failed(batch.id(), "r", List.of(), NOW, "evt_9");

        Instant later = NOW.plusSeconds(60);
        assertThat(batches.lease(later, later, "r", later.plusSeconds(30)))
                .map(Batch::eventId)
                .contains(Optional.of("evt_9"));
        batches.eventPublished(batch.id(), later);
        Instant after = later.plusSeconds(60);
        assertThat(batches.lease(after, after, "r", after.plusSeconds(30))).isEmpty();

        assertThat(batches.pastRetention(NOW.plus(Duration.ofDays(29)), 10)).isEmpty();
        assertThat(batches.pastRetention(NOW.plus(Duration.ofDays(31)), 10)).containsExactly(batch.id());
        assertThat(Set.copyOf(batches.pastRetention(NOW.plus(Duration.ofDays(31)), 10)))
                .hasSize(1);
    }
}
