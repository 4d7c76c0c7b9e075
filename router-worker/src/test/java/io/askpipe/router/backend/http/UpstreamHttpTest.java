package io.askpipe.router.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class UpstreamHttpTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void retryAfterInSeconds() {
        assertThat(UpstreamHttp.retryAfter("7", CLOCK)).isEqualTo(Duration.ofSeconds(7));
        assertThat(UpstreamHttp.retryAfter(" 0 ", CLOCK)).isEqualTo(Duration.ZERO);
    }

    @Test
    void retryAfterAsAnHttpDate() {
        assertThat(UpstreamHttp.retryAfter("Thu, 26 Nov 2026 12:01:30 GMT", CLOCK))
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(UpstreamHttp.retryAfter("Thu, 26 Nov 2026 11:00:00 GMT", CLOCK))
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void anUnreadableRetryAfterIsIgnored() {
        assertThat(UpstreamHttp.retryAfter("soon", CLOCK)).isNull();
        assertThat(UpstreamHttp.retryAfter("-5", CLOCK)).isNull();
        assertThat(UpstreamHttp.retryAfter("1.5", CLOCK)).isNull();
        assertThat(UpstreamHttp.retryAfter("", CLOCK)).isNull();
        assertThat(UpstreamHttp.retryAfter("99999999999999999999999", CLOCK)).isNull();
    }
}
