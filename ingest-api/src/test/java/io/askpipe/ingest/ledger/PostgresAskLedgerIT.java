package io.askpipe.ingest.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.schemas.AskRequest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresAskLedgerIT {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration LEASE = Duration.ofSeconds(20);
    private static final Duration LOCK_TIMEOUT = Duration.ofMillis(300);
    private static HikariDataSource one;
    private static HikariDataSource two;
    private static PostgresAskLedger instanceA;
    private static PostgresAskLedger instanceB;
    private static HikariDataSource boundedPool;
    private static PostgresAskLedger bounded;

    @BeforeAll
    static void migrate() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings settings = new DatabaseSettings(
                pg.createDatabase(SharedInfrastructure.uniqueName("ledger")), pg.user(), pg.password(), 8);
        one = settings.dataSource("a", PostgresAskLedger.SCHEMA);
        two = settings.dataSource("b", PostgresAskLedger.SCHEMA);
        FlywayMigrations.migrate(one, PostgresAskLedger.SCHEMA);
        instanceA = new PostgresAskLedger(DSL.using(one, SQLDialect.POSTGRES));
        instanceB = new PostgresAskLedger(DSL.using(two, SQLDialect.POSTGRES));
        boundedPool = settings.dataSource("bounded", PostgresAskLedger.SCHEMA, LOCK_TIMEOUT, Duration.ofSeconds(1));
        bounded = new PostgresAskLedger(DSL.using(boundedPool, SQLDialect.POSTGRES), Duration.ofSeconds(1));
    }

    @AfterAll
    static void close() {
        instanceA.close();
        instanceB.close();
        bounded.close();
        boundedPool.close();
        one.close();
        two.close();
    }

    private static AskRequest ask(String key, String id) {
        return new AskRequest(id, "alice", key, "prompt", null, null, T0);
    }

    private static AskLedger.Claim claim(AskLedger ledger, AskRequest ask, String fingerprint, Instant now) {
        return ledger.claim(ask, "POST", "/v1/ask", fingerprint, now, now.plus(TTL));
    }

    @Test
    void firstClaimWinsThenInProgressThenReplay() {
        AskRequest first = ask("k1", "00000000-0000-7000-8000-000000000001");
        assertThat(claim(instanceA, first, "f", T0)).isInstanceOf(AskLedger.Claim.Won.class);
        assertThat(claim(instanceB, ask("k1", "00000000-0000-7000-8000-000000000002"), "f", T0.plusSeconds(1)))
                .isInstanceOf(AskLedger.Claim.InProgress.class);

        instanceA.accepted(first, "POST", "/v1/ask", 202, "{\"body\":1}");

        assertThat(claim(instanceB, ask("k1", "00000000-0000-7000-8000-000000000003"), "f", T0.plusSeconds(2)))
                .isEqualTo(new AskLedger.Claim.Replay(202, "{\"body\":1}", first.requestId()));
        assertThat(claim(instanceB, ask("k1", "00000000-0000-7000-8000-000000000004"), "other", T0.plusSeconds(3)))
                .isInstanceOf(AskLedger.Claim.Mismatch.class);
    }

    @Test
    void anExpiredKeyCanBeUsedAgainAndIsPurged() {
        AskRequest old = ask("k2", "00000000-0000-7000-8000-000000000011");
        claim(instanceA, old, "f", T0);
        instanceA.accepted(old, "POST", "/v1/ask", 202, "{}");

        Instant later = T0.plus(TTL).plusSeconds(1);
        assertThat(claim(instanceA, ask("k2", "00000000-0000-7000-8000-000000000012"), "new payload", later))
                .as("after the TTL the key is free, whatever the payload")
                .isInstanceOf(AskLedger.Claim.Won.class);

        AskRequest gone = ask("k3", "00000000-0000-7000-8000-000000000013");
        claim(instanceA, gone, "f", T0);
        instanceA.accepted(gone, "POST", "/v1/ask", 202, "{}");
        assertThat(instanceA.purgeExpired(T0.plus(TTL).plusSeconds(1))).isGreaterThanOrEqualTo(1);
        assertThat(claim(instanceB, ask("k3", "00000000-0000-7000-8000-000000000014"), "g", T0.plusSeconds(1)))
                .isInstanceOf(AskLedger.Claim.Won.class);
    }

    @Test
    void twoInstancesClaimingOneKeyAtOnceProduceExactlyOneWinner() throws Exception {
        int contenders = 16;
        List<Callable<AskLedger.Claim>> calls = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            AskLedger ledger = i % 2 == 0 ? instanceA : instanceB;
            AskRequest ask = ask("race", String.format("00000000-0000-7000-8000-%012d", 100 + i));
            calls.add(() -> claim(ledger, ask, "same", T0));
        }
        List<AskLedger.Claim> claims = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(contenders)) {
            for (Future<AskLedger.Claim> f : pool.invokeAll(calls)) {
                claims.add(f.get());
            }
        }
        assertThat(claims).filteredOn(c -> c instanceof AskLedger.Claim.Won).hasSize(1);
        assertThat(claims)
                .filteredOn(c -> c instanceof AskLedger.Claim.InProgress)
                .hasSize(contenders - 1);
    }

    @Test
    void manyAsksClaimedAndMarkedAtOnceEachGetTheirOwnAnswer() throws Exception {
        int asks = 300;
        List<AskRequest> all = new ArrayList<>();
        for (int i = 0; i < asks; i++) {
            all.add(ask("many-" + i, String.format("00000000-0000-7000-8000-%012d", 1_000 + i)));
        }
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<AskLedger.Claim>> claims = new ArrayList<>();
            for (AskRequest a : all) {
                claims.add(threads.submit(() -> claim(instanceA, a, "f-" + a.idempotencyKey(), T0)));
            }
            for (Future<AskLedger.Claim> claim : claims) {
                assertThat(claim.get()).isInstanceOf(AskLedger.Claim.Won.class);
            }
            List<Future<?>> marks = new ArrayList<>();
            for (AskRequest a : all) {
                marks.add(threads.submit(
                        () -> instanceA.accepted(a, "POST", "/v1/ask", 202, "{\"id\":\"" + a.requestId() + "\"}")));
            }
            for (Future<?> mark : marks) {
                mark.get();
            }
        }
        for (AskRequest a : all) {
            assertThat(claim(
                            instanceB,
                            ask(a.idempotencyKey(), "00000000-0000-7000-8000-999999999999"),
                            "f-" + a.idempotencyKey(),
                            T0.plusSeconds(1)))
                    .as("each ask's own response, marked in a batch with the others")
                    .isEqualTo(new AskLedger.Claim.Replay(202, "{\"id\":\"" + a.requestId() + "\"}", a.requestId()));
        }
    }

    @Test
    void unpublishedAsksAreHandedToOneRecovererOnce() throws Exception {
        AskRequest orphan = ask("k4", "00000000-0000-7000-8000-000000000021");
        claim(instanceA, orphan, "f", T0);
        List<AskRequest> published = new ArrayList<>();

        List<AskRequest> recovered = instanceB
                .unpublished(T0.plusSeconds(30), 10, LEASE, published::add)
                .published();

        assertThat(recovered).contains(orphan);
        assertThat(published).contains(orphan);
        assertThat(instanceA
                        .unpublished(T0.plusSeconds(30), 10, LEASE, published::add)
                        .published())
                .doesNotContain(orphan);
        assertThat(claim(instanceA, ask("k4", "00000000-0000-7000-8000-000000000022"), "f", T0.plusSeconds(40)))
                .isInstanceOf(AskLedger.Claim.Replay.class)
                .extracting(c -> ((AskLedger.Claim.Replay) c).requestId())
                .isEqualTo(orphan.requestId());
    }

    @Test
    void aRecoveryWaitingOnKafkaDoesNotHoldUpAClaimOfTheSameScope() throws Exception {
        AskRequest orphan = ask("lease-1", "00000000-0000-7000-8000-000000000031");
        claim(instanceA, orphan, "f", T0);
        CountDownLatch publishing = new CountDownLatch(1);
        CountDownLatch broker = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> recovery = threads.submit(() -> instanceB.unpublished(T0.plusSeconds(30), 100, LEASE, ask -> {
                if (ask.requestId().equals(orphan.requestId())) {
                    publishing.countDown();
                    broker.await(); // a broker that does not answer
                }
            }));
            assertThat(publishing.await(10, TimeUnit.SECONDS)).isTrue();

            Future<AskLedger.Claim> retry = threads.submit(() ->
                    claim(instanceA, ask("lease-1", "00000000-0000-7000-8000-000000000032"), "f", T0.plusSeconds(40)));
            Future<AskLedger.Claim> other = threads.submit(() ->
                    claim(instanceA, ask("lease-2", "00000000-0000-7000-8000-000000000033"), "f", T0.plusSeconds(40)));
            try {
                assertThat(retry.get(5, TimeUnit.SECONDS))
                        .as("the retry hears at once that the ask is still being accepted")
                        .isInstanceOf(AskLedger.Claim.InProgress.class);
                assertThat(other.get(5, TimeUnit.SECONDS)).isInstanceOf(AskLedger.Claim.Won.class);
            } finally {
                broker.countDown();
            }
            recovery.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAskThatCanNeverBePublishedIsSetAsideAndTheOthersArePublished() throws Exception {
        AskRequest fine = ask("aside-1", "00000000-0000-7000-8000-000000000041");
        AskRequest tooLarge = ask("aside-2", "00000000-0000-7000-8000-000000000042");
        AskRequest unlucky = ask("aside-3", "00000000-0000-7000-8000-000000000043");
        for (AskRequest a : List.of(fine, tooLarge, unlucky)) {
            claim(instanceA, a, "f", T0);
        }

        AskLedger.Recovered round = instanceB.unpublished(T0.plusSeconds(30), 100, LEASE, ask -> {
            if (ask.requestId().equals(tooLarge.requestId())) {
                throw new ExecutionException(new AskPublisher.Unpublishable(
                        "too_large", new RecordTooLargeException("the broker's message.max.bytes")));
            }
            if (ask.requestId().equals(unlucky.requestId())) {
                throw new ExecutionException(new NotEnoughReplicasException("one broker away"));
            }
        });

        assertThat(round.published()).contains(fine).doesNotContain(tooLarge, unlucky);
        assertThat(round.setAside()).containsExactly(new AskLedger.Failure(tooLarge.requestId(), "too_large"));
        assertThat(round.retryLater()).extracting(AskLedger.Failure::requestId).containsExactly(unlucky.requestId());

        assertThat(claim(instanceA, ask("aside-2", "00000000-0000-7000-8000-000000000044"), "f", T0.plusSeconds(40)))
                .as("a retry gets a final answer, not 409 for ever")
                .isEqualTo(new AskLedger.Claim.SetAside("too_large", tooLarge.requestId()));
        assertThat(claim(instanceA, ask("aside-1", "00000000-0000-7000-8000-000000000045"), "f", T0.plusSeconds(40)))
                .isInstanceOf(AskLedger.Claim.Replay.class);
        assertThat(claim(instanceA, ask("aside-3", "00000000-0000-7000-8000-000000000046"), "f", T0.plusSeconds(40)))
                .isInstanceOf(AskLedger.Claim.InProgress.class);

        List<AskRequest> again = new ArrayList<>();
        assertThat(instanceA
                        .unpublished(T0.plusSeconds(30), 100, LEASE, again::add)
                        .published())
                .as("the transient failure waits for its lease to run out; the set-aside one is never retried")
                .doesNotContain(unlucky, tooLarge);
        assertThat(instanceA.purgeExpired(T0.plus(TTL).plusSeconds(1))).isGreaterThanOrEqualTo(1);
        assertThat(deadEntries(tooLarge.requestId()))
                .as("a set-aside entry outlives its key's TTL, for an operator to look at")
                .isEqualTo(1);
        assertThat(claim(
                        instanceA,
                        ask("aside-2", "00000000-0000-7000-8000-000000000047"),
                        "f",
                        T0.plus(TTL).plusSeconds(2)))
                .as("once its TTL ran out, a set-aside key is free again")
                .isInstanceOf(AskLedger.Claim.Won.class);
    }

    private int deadEntries(String requestId) throws java.sql.SQLException {
        try (Connection connection = one.getConnection();
                var query = connection.prepareStatement(
                        "SELECT count(*) FROM idempotency WHERE request_id = ? AND state = 'dead'")) {
            query.setString(1, requestId);
            try (var rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    @Test
    void aLeaseThatRanOutLetsTheNextRoundTakeTheAsk() {
        AskRequest orphan = ask("relet-1", "00000000-0000-7000-8000-000000000051");
        claim(instanceA, orphan, "f", T0);
        AskLedger.Recovered failed = instanceA.unpublished(T0.plusSeconds(30), 100, Duration.ofMillis(200), ask -> {
            if (ask.requestId().equals(orphan.requestId())) {
                throw new ExecutionException(new NotEnoughReplicasException("one broker away"));
            }
        });
        assertThat(failed.retryLater()).extracting(AskLedger.Failure::requestId).contains(orphan.requestId());

        List<AskRequest> published = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> instanceB
                        .unpublished(T0.plusSeconds(30), 100, LEASE, published::add)
                        .published()
                        .contains(orphan));
    }

    @Test
    void aClaimWaitingForARowLockGivesUpAfterTheLockTimeout() throws Exception {
        AskRequest held = ask("locked-1", "00000000-0000-7000-8000-000000000061");
        claim(instanceA, held, "f", T0);
        try (Connection holder = one.getConnection()) {
            holder.setAutoCommit(false);
            try (var lock = holder.prepareStatement(
                    "SELECT 1 FROM idempotency WHERE idempotency_key = 'locked-1' FOR UPDATE")) {
                lock.executeQuery().close(); // a transaction that holds the row and does not end
            }
            long started = System.nanoTime();
            assertThatThrownBy(() -> claim(
                            bounded,
                            ask("locked-1", "00000000-0000-7000-8000-000000000062"),
                            "f",
                            T0.plus(TTL).plusSeconds(1)))
                    .as("the takeover of the expired entry waits for the lock, then fails as the database away")
                    .isInstanceOf(DataAccessException.class)
                    .hasStackTraceContaining("lock timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            holder.rollback();
        }
        assertThat(claim(
                        bounded,
                        ask("locked-1", "00000000-0000-7000-8000-000000000063"),
                        "f",
                        T0.plus(TTL).plusSeconds(1)))
                .isInstanceOf(AskLedger.Claim.Won.class);
    }

    @Test
    void aReleasedClaimLeavesTheKeyFreeAndAnAcceptedOneIsNotReleased() {
        AskRequest refused = ask("release-1", "00000000-0000-7000-8000-000000000071");
        assertThat(claim(instanceA, refused, "f", T0)).isInstanceOf(AskLedger.Claim.Won.class);
        instanceA.release(refused, "POST", "/v1/ask");
        AskRequest next = ask("release-1", "00000000-0000-7000-8000-000000000072");
        assertThat(claim(instanceB, next, "f", T0.plusSeconds(1))).isInstanceOf(AskLedger.Claim.Won.class);
        instanceB.accepted(next, "POST", "/v1/ask", 202, "{}");

        instanceA.release(next, "POST", "/v1/ask");
        assertThat(claim(instanceA, ask("release-1", "00000000-0000-7000-8000-000000000073"), "f", T0.plusSeconds(2)))
                .as("an accepted ask keeps its key")
                .isInstanceOf(AskLedger.Claim.Replay.class);
    }

    @Test
    void anAcceptedAskWithoutItsResultOutlivesItsKeyUntilTheRetention() {
        PostgresAskLedger keeping =
                new PostgresAskLedger(DSL.using(one, SQLDialect.POSTGRES), Duration.ofSeconds(5), Duration.ofHours(1));
        try {
            AskRequest done =
                    new AskRequest("00000000-0000-7000-8000-000000000081", "keeper", "keep-1", "p", null, null, T0);
            AskRequest running =
                    new AskRequest("00000000-0000-7000-8000-000000000082", "keeper", "keep-2", "p", null, null, T0);
            for (AskRequest ask : List.of(done, running)) {
                claim(keeping, ask, "f", T0);
                keeping.accepted(ask, "POST", "/v1/ask", 202, "{}");
            }
            DSL.using(one, SQLDialect.POSTGRES)
                    .execute("UPDATE idempotency SET finished_at = now() WHERE request_id = ?", done.requestId());

            Instant keyExpired = T0.plus(TTL).plusSeconds(1);
            assertThat(keeping.ask(running.requestId(), keyExpired))
                    .as("an ask still waiting for its result can be cancelled after its key expired")
                    .contains(running);
            assertThat(keeping.ask(done.requestId(), keyExpired)).isEmpty();

            keeping.purgeExpired(keyExpired);
            assertThat(keys("keeper")).as("the finished one goes with its key").containsExactly("keep-2");
            keeping.purgeExpired(T0.plus(Duration.ofHours(1)).plusSeconds(1));
            assertThat(keys("keeper")).as("the other at its retention").isEmpty();
        } finally {
            keeping.close();
        }
    }

    private static List<String> keys(String userId) {
        return DSL.using(one, SQLDialect.POSTGRES)
                .fetch("SELECT idempotency_key FROM idempotency WHERE user_id = ? ORDER BY idempotency_key", userId)
                .getValues(0, String.class);
    }
}
