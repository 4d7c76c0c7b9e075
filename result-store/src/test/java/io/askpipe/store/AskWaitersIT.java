package io.askpipe.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.common.DatabaseSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import java.sql.DriverManager;
import java.time.Duration;
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
        try (AskWaiters waiters = AskWaiters.start(db, 10)) {
            // the listener connects in the background and then wakes everyone to look again;
            // a probe tells when it listens
            AtomicInteger probe = new AtomicInteger();
            waiters.register("probe", probe::incrementAndGet);
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        notify(db, "probe");
                        return probe.get() == 1;
                    });

            AtomicInteger first = new AtomicInteger();
            AtomicInteger other = new AtomicInteger();
            waiters.register("ask-1", first::incrementAndGet);
            waiters.register("ask-1", first::incrementAndGet);
            waiters.register("ask-2", other::incrementAndGet);
            assertThat(waiters.waiting()).isEqualTo(3);

            notify(db, "ask-1");
            await().atMost(Duration.ofSeconds(5)).until(() -> first.get() == 2);
            assertThat(other).hasValue(0);
            assertThat(waiters.waiting()).isEqualTo(1);
        }
    }

    @Test
    void refusesWaitersBeyondItsLimitAndForgetsCancelledOnes() {
        try (AskWaiters waiters = AskWaiters.start(database(), 2)) {
            Runnable cancel = waiters.register("a", () -> {});
            assertThat(waiters.register("b", () -> {})).isNotNull();
            assertThat(waiters.register("c", () -> {})).as("over the limit").isNull();
            cancel.run();
            assertThat(waiters.waiting()).isEqualTo(1);
            assertThat(waiters.register("c", () -> {})).isNotNull();
        }
    }
}
