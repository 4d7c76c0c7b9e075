package io.askpipe.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.common.DatabaseSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
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
            s.setString(1, AskWaiters.CHANNEL);
            s.setString(2, requestId);
            s.execute();
        }
    }

    @Test
    void aNotificationFromAnyConnectionWakesTheWaitersOfThatAskOnly() throws Exception {
        DatabaseSettings db = database();
        try (AskWaiters waiters = AskWaiters.start(db, 10, 10)) {
            // the listener connects in the background and then wakes everyone to look again;
            // a probe tells when it listens
            AtomicInteger probe = new AtomicInteger();
            waiters.register("probe", "alice", probe::incrementAndGet);
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        notify(db, "probe");
                        return probe.get() == 1;
                    });

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
        try (AskWaiters waiters = AskWaiters.start(database(), 2, 2)) {
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
        try (AskWaiters waiters = AskWaiters.start(database(), 10, 3)) {
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

    private static Runnable waiting(AskWaiters.Registration registration) {
        assertThat(registration).isInstanceOf(AskWaiters.Waiting.class);
        return ((AskWaiters.Waiting) registration).cancel();
    }
}
