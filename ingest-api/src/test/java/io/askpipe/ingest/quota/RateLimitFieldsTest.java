package io.askpipe.ingest.quota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitFieldsTest {
    @Test
    void listsEachQuotaThatAppliesAsAStructuredFieldMember() {
        var headers = new RateLimitFields()
                .rpm(60, 12, 5)
                .inFlight(10, 3)
                .monthlyTokens(1_000_000, 2_678_400, 5_400, 86_400)
                .headers();

        assertThat(headers)
                .containsEntry(
                        "RateLimit-Policy",
                        "\"rpm\";q=60;w=60, \"in-flight\";q=10;qu=\"concurrent-requests\","
                                + " \"monthly-tokens\";q=1000000;qu=\"tokens\";w=2678400")
                .containsEntry("RateLimit", "\"rpm\";r=12;t=5, \"in-flight\";r=3, \"monthly-tokens\";r=5400;t=86400");
    }

    @Test
    void saysNothingWhenNoQuotaApplies() {
        assertThat(new RateLimitFields().headers()).isEmpty();
    }
}
