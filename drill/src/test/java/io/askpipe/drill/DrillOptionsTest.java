package io.askpipe.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.drill.deploy.HeapSize;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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
    void aRunningDeploymentIsNamedByItsUrlBrokerDatabaseAndKey() {
        Env env = Env.of(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "DATABASE_USER", "askpipe",
                "ASKPIPE_API_KEY", "ak_test"));

        DrillOptions options = DrillOptions.parse(
                env, "--target", "http://127.0.0.1:8080/", "--ops", "http://127.0.0.1:9464/", "--asks", "50");

        assertThat(options.running().url()).hasToString("http://127.0.0.1:8080");
        assertThat(options.running().ops()).hasToString("http://127.0.0.1:9464");
        assertThat(options.running().apiKey()).isEqualTo("ak_test");
        assertThat(options.running().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(options.running().database().user()).isEqualTo("askpipe");
        assertThat(options.killWorkerEvery()).isZero();
        assertThat(options.faults().values()).allMatch(p -> p == 0);
    }

    @Test
    void aRunningDeploymentKeepsItsOwnChaosProcessesAndOffsets() {
        Env env = Env.of(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "ASKPIPE_API_KEY", "ak_test"));

        assertThatThrownBy(() -> DrillOptions.parse(env, "--target", "http://h:1", "--vendor-failure", "0.1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--vendor-failure needs a deployment the drill starts");
        assertThatThrownBy(() -> DrillOptions.parse(env, "--target", "http://h:1", "--kill-worker-every", "5"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--kill-worker-every needs a deployment the drill starts");
        assertThatThrownBy(() -> DrillOptions.parse(env, "--target", "http://h:1", "--replay", "beginning"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs its workers stopped");
        assertThat(DrillOptions.parse(env, "--target", "http://h:1", "--ops", "http://h:2", "--replay", "key:k1")
                        .replay())
                .isEqualTo(new DrillOptions.Replay.Key("k1"));
        assertThatThrownBy(() -> DrillOptions.parse(env, "--target", "http://h:1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--ops (the operations URL");
        assertThatThrownBy(() ->
                        DrillOptions.parse(Env.of(Map.of("ASKPIPE_API_KEY", "ak_test")), "--target", "http://h:1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--kafka (or KAFKA_BOOTSTRAP_SERVERS) is needed");
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

    @Test
    void aBatchOfUpToFiftyThousandLinesRunsOnlyWhenAsked() {
        Env env = Env.of(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "ASKPIPE_API_KEY", "ak_test"));

        assertThat(DrillOptions.parse().batchLines()).isZero();
        assertThat(DrillOptions.parse("--batch-lines", "5000").batchLines()).isEqualTo(5000);
        assertThat(DrillOptions.parse(env, "--target", "http://h:1", "--ops", "http://h:2", "--batch-lines", "50")
                        .batchLines())
                .as("a running deployment runs the batch too")
                .isEqualTo(50);
        assertThatThrownBy(() -> DrillOptions.parse("--batch-lines", "50001"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--batch-lines must be a whole number from 0 to 50000");
        assertThat(DrillOptions.USAGE).contains("--batch-lines N");
    }

    @Test
    void theServicesHeapCapIsTwoHundredFiftySixMebibytesUnlessGivenFromSixtyFourMToFourG() {
        assertThat(DrillOptions.parse().heap()).isEqualTo(new HeapSize(256));
        assertThat(DrillOptions.parse().heap().jvmOption()).isEqualTo("-Xmx256m");
        assertThat(DrillOptions.parse("--heap", "128m").heap().jvmOption()).isEqualTo("-Xmx128m");
        assertThat(DrillOptions.parse("--heap", "64M").heap()).isEqualTo(new HeapSize(64));
        assertThat(DrillOptions.parse("--heap", "1g").heap()).isEqualTo(new HeapSize(1024));
        assertThat(DrillOptions.parse("--heap", "4g").heap()).isEqualTo(new HeapSize(4096));
        assertThat(DrillOptions.USAGE).contains("--heap SIZE");
    }

    @Test
    void aHeapCapOutOfRangeOrWithoutAUnitIsRefused() {
        for (String bad : new String[] {"63m", "5g", "4097m", "0g", "256", "256k", "256mb", "1.5g", "-128m", "big"}) {
            assertThatThrownBy(() -> DrillOptions.parse("--heap", bad))
                    .as("--heap %s", bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--heap must be a size from 64m to 4g")
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void aRunningDeploymentKeepsItsOwnHeap() {
        Env env = Env.of(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "ASKPIPE_API_KEY", "ak_test"));

        assertThatThrownBy(() -> DrillOptions.parse(env, "--target", "http://h:1", "--heap", "128m"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--heap needs a deployment the drill starts");
    }
}
