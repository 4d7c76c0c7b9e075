package io.askpipe.common.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.time.Duration;
import java.util.Map;
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
}
