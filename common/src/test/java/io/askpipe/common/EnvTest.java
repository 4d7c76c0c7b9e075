package io.askpipe.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

    @Test
    void readsTypedValuesAndDefaults() {
        Env env = Env.of(Map.of("A", " 42 ", "B", "yes", "BLANK", "  "));
        assertThat(env.integer("A", 1, 0, 100)).isEqualTo(42);
        assertThat(env.bool("B", false)).isTrue();
        assertThat(env.string("BLANK", "dflt")).as("blank counts as unset").isEqualTo("dflt");
        assertThat(env.integer("MISSING", 7, 0, 100)).isEqualTo(7);
    }

    @Test
    void failuresNameTheVariable() {
        Env env = Env.of(Map.of("PORT", "eighty", "BIG", "1000", "FLAG", "maybe"));
        assertThatThrownBy(() -> env.integer("PORT", 1, 0, 10)).hasMessageContaining("PORT");
        assertThatThrownBy(() -> env.integer("BIG", 1, 0, 10))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BIG must be between 0 and 10");
        assertThatThrownBy(() -> env.bool("FLAG", true)).hasMessageContaining("FLAG");
        assertThatThrownBy(() -> env.required("NOPE")).hasMessage("NOPE is required but not set");
    }

    @Test
    void readsDurationsInShortOrIsoForm() {
        var env = Env.of(Map.of("A", "5m", "B", "PT2H", "C", "1500ms", "BAD", "five minutes", "HUGE", "30d"));
        var max = java.time.Duration.ofDays(7);
        assertThat(env.duration("A", null, java.time.Duration.ZERO, max)).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(env.duration("B", null, java.time.Duration.ZERO, max)).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(env.duration("C", null, java.time.Duration.ZERO, max)).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(env.duration("UNSET", java.time.Duration.ofSeconds(9), java.time.Duration.ZERO, max))
                .isEqualTo(java.time.Duration.ofSeconds(9));
        assertThatThrownBy(() -> env.duration("BAD", null, java.time.Duration.ZERO, max))
                .hasMessageContaining("BAD must be a duration");
        assertThatThrownBy(() -> env.duration("HUGE", null, java.time.Duration.ZERO, max))
                .hasMessageContaining("HUGE must be between");
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
