package io.askpipe.store.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.store.notify.Notifications;
import io.askpipe.store.view.AskView;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AskWaitersIT {
    private static DatabaseSettings database() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        return new DatabaseSettings(
                pg.createDatabase(SharedInfrastructure.uniqueName("waiters")), pg.user(), pg.password(), 2);
    }

    private static void notify(DatabaseSettings db, String requestId) throws Exception {
        try (var c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                var s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            s.setString(1, Notifications.ASK_DONE);
            s.setString(2, requestId);
            s.execute();
        }
    }

    /**
     * Waits until {@code waiters} listens. The listener connects in the background and then wakes
     * everyone to look again, which would count waiters out under a test's feet; a probe tells when
     * that is over.
     */
    private static void awaitListening(AskWaiters waiters, DatabaseSettings db) {
        AtomicInteger probe = new AtomicInteger();
        waiters.register("probe", "probe", probe::incrementAndGet);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    notify(db, "probe");
                    return probe.get() == 1;
                });
    }

    @Test
    void aNotificationFromAnyConnectionWakesTheWaitersOfThatAskOnly() throws Exception {
        DatabaseSettings db = database();
        try (AskWaiters waiters = AskWaiters.start(db, 10, 10)) {
            awaitListening(waiters, db);

            AtomicInteger first = new AtomicInteger();
            AtomicInteger other = new AtomicInteger();
            waiters.register("ask-1", "alice", first::incrementAndGet);
            waiters.register("ask-1", "bob", first::incrementAndGet);
            waiters.register("ask-2", "alice", other::incrementAndGet);
            assertThat(waiters.waiting()).isEqualTo(3);

            notify(db, "ask-1");
            await().atMost(Duration.ofSeconds(5)).until(() -> first.get() == 2);
            assertThat(other).hasValue(0);
            assertThat(waiters.waiting()).isEqualTo(1);
        }
    }

    @Test
    void refusesWaitersBeyondItsLimitAndForgetsCancelledOnes() {
        DatabaseSettings db = database();
        try (AskWaiters waiters = AskWaiters.start(db, 2, 2)) {
            awaitListening(waiters, db);
            Runnable cancel = waiting(waiters.register("a", "alice", () -> {}));
            assertThat(waiters.register("b", "bob", () -> {})).isInstanceOf(AskWaiters.Waiting.class);
            assertThat(waiters.register("c", "carol", () -> {}))
                    .as("over the limit")
                    .isEqualTo(AskWaiters.Refused.INSTANCE_FULL);
            cancel.run();
            cancel.run(); // a second cancel counts nothing out
            assertThat(waiters.waiting()).isEqualTo(1);
            assertThat(waiters.register("c", "carol", () -> {})).isInstanceOf(AskWaiters.Waiting.class);
            assertThat(waiters.refused(AskWaiters.Refused.INSTANCE_FULL)).isEqualTo(1);
        }
    }

    @Test
    void oneUserCannotTakeEveryPlace() {
        DatabaseSettings db = database();
        try (AskWaiters waiters = AskWaiters.start(db, 10, 3)) {
            awaitListening(waiters, db);
            for (int i = 0; i < 3; i++) {
                assertThat(waiters.register("ask-" + i, "mallory", () -> {})).isInstanceOf(AskWaiters.Waiting.class);
            }
            assertThat(waiters.register("ask-3", "mallory", () -> {})).isEqualTo(AskWaiters.Refused.USER_FULL);
            assertThat(waiters.register("ask-3", "alice", () -> {}))
                    .as("another user still waits")
                    .isInstanceOf(AskWaiters.Waiting.class);
            assertThat(waiters.waiting("mallory")).isEqualTo(3);
            assertThat(waiters.waiting()).isEqualTo(4);
            waiters.wake("ask-0");
            assertThat(waiters.waiting("mallory")).isEqualTo(2);
            assertThat(waiters.register("ask-4", "mallory", () -> {})).isInstanceOf(AskWaiters.Waiting.class);
            assertThat(waiters.refused(AskWaiters.Refused.USER_FULL)).isEqualTo(1);
        }
    }

    /**
     * Registrations, wake-ups and cancellations (as at a timeout or a disconnect) race on a few
     * asks from several threads: every client is counted out exactly once, woken at most once, and
     * the counts return to zero, on the instance and per user.
     */
    @Test
    void countsReturnToZeroWhateverRacesRegistrationWakeUpAndTimeout() throws Exception {
        int asks = 4;
        String[] users = {"alice", "bob", "carol"};
        try (AskWaiters waiters = AskWaiters.start(database(), 1_000_000, 1_000_000)) {
            ExecutorService pool = Executors.newFixedThreadPool(5);
            AtomicBoolean registering = new AtomicBoolean(true);
            AtomicInteger wokenTwice = new AtomicInteger();
            List<Future<?>> registrars = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                registrars.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < 100_000; i++) {
                        AtomicInteger woken = new AtomicInteger();
                        AskWaiters.Registration registration = waiters.register(
                                "ask-" + random.nextInt(asks), users[random.nextInt(users.length)], () -> {
                                    if (woken.incrementAndGet() > 1) {
                                        wokenTwice.incrementAndGet();
                                    }
                                });
                        Runnable cancel = waiting(registration);
                        if (random.nextInt(4) != 0) {
                            cancel.run(); // a timeout or a disconnect, racing the wake-ups
                        }
                        if (random.nextInt(8) == 0) {
                            cancel.run(); // settled twice
                        }
                    }
                }));
            }
            Future<?> waker = pool.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (registering.get()) {
                    waiters.wake("ask-" + random.nextInt(asks));
                }
            });
            for (Future<?> registrar : registrars) {
                registrar.get(2, TimeUnit.MINUTES);
            }
            registering.set(false);
            waker.get(1, TimeUnit.MINUTES);
            pool.shutdown();
            for (int i = 0; i < asks; i++) {
                waiters.wake("ask-" + i); // whoever still waits
            }

            assertThat(waiters.waiting()).isZero();
            for (String user : users) {
                assertThat(waiters.waiting(user)).as(user).isZero();
            }
            assertThat(waiters.waitingUsers()).isZero();
            assertThat(wokenTwice).hasValue(0);
        }
    }

    @Test
    void aResultWrittenWhileAWokenLongPollReadsStillWakesIt() throws Exception {
        DatabaseSettings db = database();
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try (AskWaiters waiters = AskWaiters.start(db, 10, 10)) {
            awaitListening(waiters, db);

            AtomicInteger reads = new AtomicInteger();
            AtomicBoolean written = new AtomicBoolean();
            java.util.concurrent.CompletableFuture<AskView> answered = new java.util.concurrent.CompletableFuture<>();
            java.time.Instant t0 = java.time.Instant.now();
            LongPoll.start(
                    vertx,
                    waiters,
                    "ask-x",
                    "alice",
                    Duration.ofSeconds(20),
                    () -> {
                        boolean terminal = written.get();
                        if (reads.incrementAndGet() == 2) {
                            // the result commits, and its notification arrives, just after this
                            // read looked: only a registration made before the read can hear it
                            written.set(true);
                            waiters.wake("ask-x");
                        }
                        return java.util.Optional.of(new AskView(
                                "ask-x",
                                terminal ? io.askpipe.schemas.AskStatus.SUCCEEDED : io.askpipe.schemas.AskStatus.QUEUED,
                                t0,
                                null,
                                null,
                                null,
                                null));
                    },
                    result -> answered.complete(result.result().orElseThrow()));
            await().atMost(Duration.ofSeconds(5)).until(() -> reads.get() == 1);
            waiters.wake("ask-x"); // a wake-up that finds the ask not finished (the listener reconnected)

            assertThat(answered.get(5, TimeUnit.SECONDS).status())
                    .as("answered at once, not when the 20 s wait runs out")
                    .isEqualTo(io.askpipe.schemas.AskStatus.SUCCEEDED);
            await().atMost(Duration.ofSeconds(5)).until(() -> waiters.waiting() == 0);
        } finally {
            vertx.close().await();
        }
    }

    private static Runnable waiting(AskWaiters.Registration registration) {
        assertThat(registration).isInstanceOf(AskWaiters.Waiting.class);
        return ((AskWaiters.Waiting) registration).cancel();
    }
}
