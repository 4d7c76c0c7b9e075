package io.askpipe.router.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitSettingsTest {
    private static LimitSettings read(Map<String, String> vars) {
        return LimitSettings.fromEnv(Env.of(vars), List.of("dryrun", "openai"));
    }

    @Test
    void readsEachRegisteredBackendsLimits() {
        LimitSettings settings =
                read(Map.of("OPENAI_RPM", "500", "OPENAI_TPM", "30000", "OPENAI_MAX_CONCURRENCY", "8"));

        assertThat(settings.backend("openai")).isEqualTo(new Limits(500, 30_000, 8));
        assertThat(settings.backend("dryrun").none()).as("unset is no limit").isTrue();
        assertThat(settings.isEmpty()).isFalse();
    }

    @Test
    void zeroMeansNoLimit() {
        assertThat(read(Map.of("OPENAI_RPM", "0")).isEmpty()).isTrue();
    }

    @Test
    void readsModelLimits() {
        LimitSettings settings = read(
                Map.of("ROUTER_MODEL_LIMITS", "openai/gpt-4o:rpm=500,tpm=30000; openai/gpt-4o-mini:concurrency=2"));

        assertThat(settings.model("openai", "gpt-4o")).contains(new Limits(500, 30_000, 0));
        assertThat(settings.model("openai", "gpt-4o-mini")).contains(new Limits(0, 0, 2));
        assertThat(settings.model("openai", "other")).isEmpty();
    }

    @Test
    void aBadModelLimitFailsNamingTheVariable() {
        assertThatThrownBy(() -> read(Map.of("ROUTER_MODEL_LIMITS", "openai/gpt-4o:rpm=lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ROUTER_MODEL_LIMITS");
        assertThatThrownBy(() -> read(Map.of("ROUTER_MODEL_LIMITS", "gpt-4o:rpm=5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ROUTER_MODEL_LIMITS");
        assertThatThrownBy(() -> read(Map.of("ROUTER_MODEL_LIMITS", "openai/gpt-4o:rps=5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ROUTER_MODEL_LIMITS");
        assertThatThrownBy(() -> read(Map.of("ROUTER_MODEL_LIMITS", "llama/x:rpm=5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ROUTER_MODEL_LIMITS")
                .hasMessageContaining("llama");
    }

    @Test
    void aBadBackendLimitFailsNamingTheVariable() {
        assertThatThrownBy(() -> read(Map.of("OPENAI_RPM", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OPENAI_RPM");
    }

    @Test
    void aBucketLetsNoSlidingMinuteSeeMoreThanItsLimit() {
        long perMinute = 1_800;
        long capacity = SharedBuckets.capacity(perMinute);

        var bandwidth = SharedBuckets.configuration(perMinute).getBandwidths()[0];

        assertThat(capacity).as("a second's worth").isEqualTo(30);
        assertThat(bandwidth.getCapacity()).isEqualTo(capacity);
        assertThat(bandwidth.getCapacity() + bandwidth.getRefillTokens())
                .as("what starts in the bucket and what a minute refills")
                .isEqualTo(perMinute);
    }
}
