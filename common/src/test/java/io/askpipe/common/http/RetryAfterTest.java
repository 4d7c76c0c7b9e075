package io.askpipe.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock FIXED = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void readsSecondsAndHttpDates() {
        Clock clock = Clock.systemUTC();
        assertThat(RetryAfter.parse("120", clock)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(null, clock)).isEmpty();
        assertThat(RetryAfter.parse("soon", clock)).isEmpty();
        assertThat(RetryAfter.parse("-1", clock)).isEmpty();
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(1));
        assertThat(RetryAfter.parse(inAMinute, clock))
                .hasValueSatisfying(wait -> assertThat(wait).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61)));
    }

    @Test
    void measuresAnHttpDateFromTheGivenClock() {
        String inAMinute =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(60).atZone(ZoneOffset.UTC));
        assertThat(RetryAfter.parse(inAMinute, FIXED)).contains(Duration.ofSeconds(60));
        String past =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(60).atZone(ZoneOffset.UTC));
        assertThat(RetryAfter.parse(past, FIXED))
                .as("a date in the past is no wait")
                .contains(Duration.ZERO);
    }
}
