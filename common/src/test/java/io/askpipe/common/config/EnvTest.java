package io.askpipe.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

    @Test
    void readsTypedValuesAndDefaults() {
        Env env = Env.of(Map.of("A", " 42 ", "B", "yes", "test_blank", "  "));
        assertThat(env.get(Setting.integer("A", 0, 100).defaultsTo("1"))).isEqualTo(42);
        assertThat(env.get(Setting.flag("B").defaultsTo("false"))).isTrue();
        assertThat(env.get(Setting.text("test_blank").defaultsTo("dflt")))
                .as("blank counts as unset")
                .isEqualTo("dflt");
        assertThat(env.get(Setting.integer("test_missing", 0, 100).defaultsTo("7")))
                .isEqualTo(7);
    }

    @Test
    void failuresNameTheVariable() {
        Env env = Env.of(Map.of("test_port", "eighty", "test_big", "1000", "test_flag", "maybe"));
        assertThatThrownBy(() -> env.get(Setting.integer("test_port", 0, 10).defaultsTo("1")))
                .hasMessageContaining("test_port");
        assertThatThrownBy(() -> env.get(Setting.integer("test_big", 0, 10).defaultsTo("1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("test_big must be between 0 and 10");
        assertThatThrownBy(() -> env.get(Setting.flag("test_flag").defaultsTo("true")))
                .hasMessageContaining("test_flag");
        assertThatThrownBy(() -> env.get(Setting.text("test_nope").required()))
                .hasMessage("test_nope is required but not set");
    }

    @Test
    void readsDurationsInShortOrIsoForm() {
        var env = Env.of(Map.of("A", "5m", "B", "pt2h", "C", "1500ms", "test_bad", "five minutes", "test_huge", "30d"));
        var max = Duration.ofDays(7);
        assertThat(env.get(Setting.duration("A", Duration.ZERO, max))).isEqualTo(Duration.ofMinutes(5));
        assertThat(env.get(Setting.duration("B", Duration.ZERO, max))).isEqualTo(Duration.ofHours(2));
        assertThat(env.get(Setting.duration("C", Duration.ZERO, max))).isEqualTo(Duration.ofMillis(1500));
        assertThat(env.get(Setting.duration("test_unset", Duration.ZERO, max).defaultsTo("9s")))
                .isEqualTo(Duration.ofSeconds(9));
        assertThatThrownBy(() -> env.get(Setting.duration("test_bad", Duration.ZERO, max)))
                .hasMessageContaining("test_bad must be a duration");
        assertThatThrownBy(() -> env.get(Setting.duration("test_huge", Duration.ZERO, max)))
                .hasMessageContaining("test_huge must be between");
    }

    @Test
    void findsOnlyWhatIsSetWhateverTheDefault() {
        Setting<Integer> port = Setting.integer("test_port", 0, 10).defaultsTo("5");
        assertThat(Env.of(Map.of()).find(port)).isEmpty();
        assertThat(Env.of(Map.of("test_port", " ")).isSet(port)).isFalse();
        assertThat(Env.of(Map.of("test_port", "3")).find(port)).contains(3);
        assertThatThrownBy(() -> Env.of(Map.of("test_port", "11")).find(port))
                .hasMessage("test_port must be between 0 and 10, got 11");
    }

    @Test
    void anObservedEnvironmentTellsWhichVariablesWereLookedUp() {
        java.util.List<String> reads = new java.util.ArrayList<>();
        Env env = Env.observed(Map.of("KAFKA_BOOTSTRAP_SERVERS", "b:9092"), reads::add);

        KafkaSettings.fromEnv(env);

        assertThat(reads)
                .containsExactlyInAnyOrderElementsOf(
                        KafkaSettings.settings().stream().map(Setting::name).toList());
    }

    @Test
    void aSettingWithoutADefaultIsReadWithFind() {
        Setting<String> optional = Setting.text("test_optional");
        assertThatThrownBy(() -> Env.of(Map.of()).get(optional))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Env.find");
        assertThat(Env.of(Map.of("test_optional", "x")).get(optional)).isEqualTo("x");
    }

    @Test
    void kafkaSettingsNeedABootstrapAddress() {
        assertThatThrownBy(() -> KafkaSettings.fromEnv(Env.of(Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
        KafkaSettings settings = KafkaSettings.fromEnv(
                Env.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", "b:9092", "KAFKA_TOPIC_PREFIX", "dev.")));
        assertThat(settings.topics().requests().name()).isEqualTo("dev.ask.requests");
        assertThat(settings.replicationFactor()).isEqualTo((short) -1);
    }
}
