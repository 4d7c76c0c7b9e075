package io.askpipe.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingTest {
    private static final Setting<Duration> TIMEOUT =
            Setting.millis("TEST_TIMEOUT_MS", 1, 600_000).defaultsTo("30000").doc("a time limit");

    @Test
    void showsItsDefaultAsTheDocsDo() {
        assertThat(TIMEOUT.defaultText()).isEqualTo("`30000`");
        assertThat(Setting.text("TEST_URL").required().defaultText()).isEqualTo("required");
        assertThat(Setting.text("TEST_KEY").defaultText()).isEqualTo("(none)");
        assertThat(Setting.text("TEST_PREFIX").defaultsTo("").defaultText()).isEqualTo("(none)");
        assertThat(Setting.integer("TEST_LOCK_MS", 1, 10)
                        .derivedDefault("a fifth of `TEST_TIMEOUT_MS`", env -> 1)
                        .defaultText())
                .isEqualTo("a fifth of `TEST_TIMEOUT_MS`");
    }

    @Test
    void describesItselfForAListing() {
        assertThat(TIMEOUT.type()).isEqualTo("milliseconds");
        assertThat(TIMEOUT.bounds()).isEqualTo("1..600000");
        assertThat(Setting.duration("TEST_TTL", Duration.ofSeconds(1), Duration.ofDays(30))
                        .bounds())
                .isEqualTo("1s..30d");
        assertThat(Setting.longInteger("TEST_SEED", Long.MIN_VALUE, Long.MAX_VALUE)
                        .bounds())
                .isEmpty();
        assertThat(TIMEOUT.toString())
                .isEqualTo("TEST_TIMEOUT_MS (milliseconds 1..600000, default `30000`): a time limit");
    }

    @Test
    void aDefaultOutsideTheBoundsFailsWhereItIsDefined() {
        assertThatThrownBy(() -> Setting.integer("TEST_PORT", 1, 10).defaultsTo("0"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("TEST_PORT must be between 1 and 10, got 0");
    }

    @Test
    void aDerivedDefaultReadsOtherSettings() {
        Setting<Duration> lock = Setting.millis("TEST_LOCK_MS", 1, 600_000)
                .derivedDefault(
                        "a fifth of `TEST_TIMEOUT_MS`", env -> env.get(TIMEOUT).dividedBy(5));
        assertThat(Env.of(Map.of("TEST_TIMEOUT_MS", "5000")).get(lock)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Env.of(Map.of("TEST_LOCK_MS", "7")).get(lock)).isEqualTo(Duration.ofMillis(7));
    }

    @Test
    void aFamilyNamesOneVariablePerKey() {
        Setting<Duration> family = Setting.millis("<BACKEND>_TIMEOUT_MS", 1, 600_000)
                .derivedDefault("`TEST_TIMEOUT_MS`", env -> env.get(TIMEOUT));
        Setting<Duration> local = family.forKey("my-llm");

        assertThat(family.isFamily()).isTrue();
        assertThat(local.name()).isEqualTo("MY_LLM_TIMEOUT_MS");
        assertThat(family.names("MY_LLM_TIMEOUT_MS")).isTrue();
        assertThat(family.names("_TIMEOUT_MS")).isFalse();
        assertThat(family.names("OPENAI_TIMEOUT")).isFalse();
        assertThat(local.names("MY_LLM_TIMEOUT_MS")).isTrue();
        assertThat(local.names("OPENAI_TIMEOUT_MS")).isFalse();
        assertThat(Env.of(Map.of("MY_LLM_TIMEOUT_MS", "10")).get(local)).isEqualTo(Duration.ofMillis(10));
        assertThat(Env.of(Map.of()).get(local)).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> Env.of(Map.of("MY_LLM_TIMEOUT_MS", "0")).get(local))
                .hasMessage("MY_LLM_TIMEOUT_MS must be between 1 and 600000, got 0");
        assertThatThrownBy(() -> Env.of(Map.of()).get(family)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aVariantKeepsTheDefinitionAndChangesWhatItSays() {
        Setting<Integer> port = Setting.integer("TEST_PORT", 0, 65_535).doc("a port");
        Setting<Integer> probed = port.defaultsTo("8080").between(1, 65_535);

        assertThat(probed.doc()).isEqualTo("a port");
        assertThat(probed.defaultValue()).isEqualTo(8080);
        assertThatThrownBy(() -> Env.of(Map.of("TEST_PORT", "0")).get(probed))
                .hasMessage("TEST_PORT must be between 1 and 65535, got 0");
        assertThat(Env.of(Map.of("TEST_PORT", "0")).get(port.defaultsTo("1"))).isZero();
    }

    @Test
    void decimalsAndFlagsSayWhatTheyExpect() {
        Setting<Double> temperature = Setting.decimal("TEST_TEMPERATURE", 0, 2);
        assertThatThrownBy(() -> Env.of(Map.of("TEST_TEMPERATURE", "3")).get(temperature))
                .hasMessage("TEST_TEMPERATURE must be between 0 and 2, got 3.0");
        assertThatThrownBy(() -> Env.of(Map.of("TEST_TEMPERATURE", "warm")).get(temperature))
                .hasMessage("TEST_TEMPERATURE must be a number, got 'warm'");
        assertThat(Env.of(Map.of("TEST_FLAG", "off"))
                        .get(Setting.flag("TEST_FLAG").defaultsTo("1")))
                .isFalse();
    }

    @Test
    void aUnionListsEachNameOnceTheFirstDefinitionWinning() {
        Setting<Integer> port = Setting.integer("TEST_PORT", 0, 65_535);
        Setting<Integer> ingestPort = port.defaultsTo("8080");

        List<Setting<?>> union = Setting.union(List.of(ingestPort, TIMEOUT), List.of(port, TIMEOUT));

        assertThat(union).containsExactly(ingestPort, TIMEOUT);
    }
}
