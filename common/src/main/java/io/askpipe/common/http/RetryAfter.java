package io.askpipe.common.http;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads an HTTP {@code Retry-After} header (RFC 9110, section 10.2.3). */
public final class RetryAfter {
    private RetryAfter() {}

    /**
     * The wait {@code value} asks for: delta-seconds, or an HTTP-date measured from {@code clock}
     * (a date in the past is no wait); empty when the header is absent or neither.
     */
    public static Optional<Duration> parse(String value, Clock clock) {
        if (value == null) {
            return Optional.empty();
        }
        String stripped = value.strip();
        if (stripped.isEmpty()) {
            return Optional.empty();
        }
        if (stripped.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(stripped)));
            } catch (NumberFormatException e) {
                return Optional.empty(); // more seconds than a long holds
            }
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(stripped, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
