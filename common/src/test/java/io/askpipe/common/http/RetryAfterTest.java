package io.askpipe.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void retryAfterInSeconds() {
        assertThat(RetryAfter.parse("7", CLOCK)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(" 0 ", CLOCK)).contains(Duration.ZERO);
    }

    @Test
    void retryAfterAsAnHttpDate() {
        assertThat(RetryAfter.parse("Thu, 26 Nov 2026 12:01:30 GMT", CLOCK)).contains(Duration.ofSeconds(90));
        assertThat(RetryAfter.parse("Thu, 26 Nov 2026 11:00:00 GMT", CLOCK)).contains(Duration.ZERO);
    }

    @Test
    void anAbsentOrUnreadableRetryAfterIsIgnored() {
        assertThat(RetryAfter.parse(null, CLOCK)).isEmpty();
        assertThat(RetryAfter.parse("soon", CLOCK)).isEmpty();
        assertThat(RetryAfter.parse("-5", CLOCK)).isEmpty();
        assertThat(RetryAfter.parse("1.5", CLOCK)).isEmpty();
        assertThat(RetryAfter.parse("", CLOCK)).isEmpty();
        assertThat(RetryAfter.parse("99999999999999999999999", CLOCK)).isEmpty();
    }
}
