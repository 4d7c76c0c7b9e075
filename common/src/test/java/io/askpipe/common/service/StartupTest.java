package io.askpipe.common.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartupTest {

    @Test
    void vendorPingsAreOnExceptInCiUnlessSaidOtherwise() {
        assertThat(Startup.fromEnv("s", Env.of(Map.of())).vendorPings()).isTrue();
        assertThat(Startup.fromEnv("s", Env.of(Map.of("CI", "true"))).vendorPings())
                .isFalse();
        assertThat(Startup.fromEnv("s", Env.of(Map.of("ASKPIPE_PROFILE", "ci"))).vendorPings())
                .isFalse();
        assertThat(Startup.fromEnv("s", Env.of(Map.of("CI", "true", "STARTUP_VENDOR_PINGS", "true")))
                        .vendorPings())
                .isTrue();
    }

    @Test
    void aStepReturnsItsResultOrSaysWhichStepFailedAndWhatToCheck() {
        Startup startup = new Startup("svc", Duration.ofSeconds(1), false);
        assertThat(startup.step("answer", "nothing to check", () -> 42)).isEqualTo(42);

        assertThatThrownBy(() -> startup.step("database", "Check the database", () -> {
                    throw new IllegalStateException("pool", new java.net.ConnectException("Connection refused"));
                }))
                .isInstanceOf(StartupException.class)
                .hasMessage("svc could not start: database failed: pool (ConnectException: Connection refused)."
                        + " Check the database");
        assertThatThrownBy(() -> startup.step("slow", "Check the broker", () -> {
                    Thread.sleep(10_000);
                    return null;
                }))
                .isInstanceOf(StartupException.class)
                .hasMessage(
                        "svc could not start: slow did not finish within 1 s (STARTUP_STEP_TIMEOUT). Check the broker");
        assertThatThrownBy(() -> startup.step("config", "fix", () -> {
                    throw new ConfigException("X must be set");
                }))
                .as("a bad setting stays a bad setting")
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void stepsBegunTogetherRunSideBySideAndEachIsReportedAtItsAwait() throws Exception {
        Startup startup = new Startup("svc", Duration.ofSeconds(5), false);
        CountDownLatch bothRunning = new CountDownLatch(2);
        Startup.Pending<String> database = startup.begin("database", "fix", () -> {
            bothRunning.countDown();
            assertThat(bothRunning.await(5, TimeUnit.SECONDS)).isTrue();
            return "pool";
        });
        Startup.Pending<String> topics = startup.begin("topics", "fix", () -> {
            bothRunning.countDown();
            assertThat(bothRunning.await(5, TimeUnit.SECONDS)).isTrue();
            return "topics";
        });
        assertThat(topics.await()).isEqualTo("topics");
        assertThat(database.await()).isEqualTo("pool");

        Startup.Pending<Object> failing = startup.begin("broker", "Check the broker", () -> {
            throw new IllegalStateException("unreachable");
        });
        assertThatThrownBy(failing::await)
                .isInstanceOf(StartupException.class)
                .hasMessage("svc could not start: broker failed: unreachable. Check the broker");
    }

    @Test
    void aStepsTimeLimitCountsFromItsBeginning() throws Exception {
        Startup startup = new Startup("svc", Duration.ofSeconds(1), false);
        Startup.Pending<Object> slow = startup.begin("slow", "fix", () -> {
            Thread.sleep(1_500);
            return null;
        });
        Thread.sleep(1_100);
        long awaited = System.nanoTime();
        assertThatThrownBy(slow::await).isInstanceOf(StartupException.class).hasMessageContaining("within 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - awaited)).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void aDiscardedStepHasWhatItMadeClosedOrIsStopped() {
        Startup startup = new Startup("svc", Duration.ofSeconds(5), false);
        List<String> closed = new CopyOnWriteArrayList<>();
        startup.begin("database", "fix", () -> "pool").discard(closed::add);
        assertThat(closed).containsExactly("pool");

        Startup.Pending<String> hanging = startup.begin("broker", "fix", () -> {
            Thread.sleep(60_000);
            return "client";
        });
        long discarded = System.nanoTime();
        hanging.discard(closed::add);
        assertThat(Duration.ofNanos(System.nanoTime() - discarded))
                .as("interrupted, not waited for")
                .isLessThan(Duration.ofSeconds(2));
        assertThat(closed).containsExactly("pool");
    }
}
