package io.askpipe.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.kafka.KafkaSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

    @Test
    void readsTypedValuesAndDefaults() {
        Env env = Env.of(Map.of("A", " 42 ", "B", "yes", "test_blank", "  "));
        assertThat(env.integer("A", 1, 0, 100)).isEqualTo(42);
        assertThat(env.bool("B", false)).isTrue();
        assertThat(env.string("test_blank", "dflt")).as("blank counts as unset").isEqualTo("dflt");
        assertThat(env.integer("test_missing", 7, 0, 100)).isEqualTo(7);
    }

    @Test
    void failuresNameTheVariable() {
        Env env = Env.of(Map.of("test_port", "eighty", "test_big", "1000", "test_flag", "maybe"));
        assertThatThrownBy(() -> env.integer("test_port", 1, 0, 10)).hasMessageContaining("test_port");
        assertThatThrownBy(() -> env.integer("test_big", 1, 0, 10))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("test_big must be between 0 and 10");
        assertThatThrownBy(() -> env.bool("test_flag", true)).hasMessageContaining("test_flag");
        assertThatThrownBy(() -> env.required("test_nope")).hasMessage("test_nope is required but not set");
    }

    @Test
    void readsDurationsInShortOrIsoForm() {
        var env = Env.of(Map.of("A", "5m", "B", "pt2h", "C", "1500ms", "test_bad", "five minutes", "test_huge", "30d"));
        var max = java.time.Duration.ofDays(7);
        assertThat(env.duration("A", null, java.time.Duration.ZERO, max)).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(env.duration("B", null, java.time.Duration.ZERO, max)).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(env.duration("C", null, java.time.Duration.ZERO, max)).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(env.duration("test_unset", java.time.Duration.ofSeconds(9), java.time.Duration.ZERO, max))
                .isEqualTo(java.time.Duration.ofSeconds(9));
        assertThatThrownBy(() -> env.duration("test_bad", null, java.time.Duration.ZERO, max))
                .hasMessageContaining("test_bad must be a duration");
        assertThatThrownBy(() -> env.duration("test_huge", null, java.time.Duration.ZERO, max))
                .hasMessageContaining("test_huge must be between");
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
