package io.askpipe.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.ConfigException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DrillOptionsTest {
    @Test
    void defaultsRunEveryFaultWithAWorkerKillEveryTenSeconds() {
        DrillOptions options = DrillOptions.parse();

        assertThat(options.asks()).isEqualTo(1000);
        assertThat(options.workers()).isEqualTo(2);
        assertThat(options.killWorkerEvery()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.replay()).isInstanceOf(DrillOptions.Replay.None.class);
        assertThat(options.chaosEnv())
                .containsEntry("CHAOS_MODE", "1")
                .containsEntry("CHAOS_SEED", "1")
                .containsEntry("CHAOS_VENDOR_LATENCY", "0.05")
                .containsEntry("CHAOS_VENDOR_FAILURE", "0.03")
                .containsEntry("CHAOS_VENDOR_LATENCY_MS", "300");
    }

    @Test
    void everyFaultHasAnOptionThatBecomesItsVariable() {
        DrillOptions options = DrillOptions.parse("--vendor-failure", "0.5", "--seed", "42", "--asks", "7");

        assertThat(options.asks()).isEqualTo(7);
        assertThat(options.chaosEnv())
                .containsEntry("CHAOS_VENDOR_FAILURE", "0.5")
                .containsEntry("CHAOS_SEED", "42");
    }

    @Test
    void allFaultsAtZeroTurnChaosModeOff() {
        String[] args = DrillOptions.parse().faults().keySet().stream()
                .flatMap(label -> java.util.stream.Stream.of("--" + label.replace('_', '-'), "0"))
                .toArray(String[]::new);

        assertThat(DrillOptions.parse(args).chaosEnv()).containsEntry("CHAOS_MODE", "0");
    }

    @Test
    void replayNamesAPointOrAKey() {
        assertThat(DrillOptions.parse("--replay", "beginning").replay())
                .isInstanceOf(DrillOptions.Replay.FromBeginning.class);
        assertThat(DrillOptions.parse("--replay", "since:2026-11-26T14:00:00Z").replay())
                .isEqualTo(new DrillOptions.Replay.Since(Instant.parse("2026-11-26T14:00:00Z")));
        assertThat(DrillOptions.parse("--replay", "key:drill-s1-5").replay())
                .isEqualTo(new DrillOptions.Replay.Key("drill-s1-5"));
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        assertThatThrownBy(() -> DrillOptions.parse("--vendor-failure", "1.5"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--vendor-failure must be a probability");
        assertThatThrownBy(() -> DrillOptions.parse("--asks", "many"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--asks must be a whole number");
        assertThatThrownBy(() -> DrillOptions.parse("--replay", "yesterday"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--replay must be");
        assertThatThrownBy(() -> DrillOptions.parse("--asks"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected --OPTION VALUE");
        assertThatThrownBy(() -> DrillOptions.parse("--colour", "blue"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown option --colour");
    }
}
