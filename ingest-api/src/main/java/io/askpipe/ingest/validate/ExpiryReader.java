package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads an ask's {@code expires_after} (whole seconds, 1 to {@link #MAX}) or {@code deadline} (an
 * RFC 3339 timestamp with an offset, in the future and at most {@link #MAX} ahead), at most one of
 * the two. {@link #MAX} is the default retention of asks ({@code ROUTER_RETENTION}, {@code
 * STORE_RETENTION}): an ask is not run past it anyway.
 */
public final class ExpiryReader {
    /** The furthest an ask's deadline may be from its accept: 30 days. */
    public static final Duration MAX = Duration.ofDays(30);

    /** RFC 3339's date-time: seconds required, fraction optional, an offset required. */
    private static final Pattern RFC_3339 =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    private ExpiryReader() {}

    /** The expiry {@code body} asks for, judged at {@code now}; empty if it asks for none. */
    public static Optional<Expiry> read(JsonNode body, Instant now) {
        Pointer afterAt = Pointer.ROOT.field("expires_after");
        Pointer deadlineAt = Pointer.ROOT.field("deadline");
        var after = Values.member(body, "expires_after");
        var deadline = Values.member(body, "deadline");
        if (after.isPresent() && deadline.isPresent()) {
            throw afterAt.invalid("and /deadline both say when the ask expires: send one of them");
        }
        if (after.isPresent()) {
            long seconds = Values.integer(after.get(), afterAt, 1, MAX.toSeconds());
            return Optional.of(new Expiry.After(Duration.ofSeconds(seconds)));
        }
        if (deadline.isPresent()) {
            return Optional.of(new Expiry.At(instant(deadline.get(), deadlineAt, now)));
        }
        return Optional.empty();
    }

    private static Instant instant(JsonNode node, Pointer at, Instant now) {
        String text = Values.string(node, at);
        if (!RFC_3339.matcher(text).matches()) {
            throw at.invalid("must be an RFC 3339 timestamp with an offset, such as 2026-12-07T15:00:00Z");
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text.toUpperCase(Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            throw at.invalid("must be an RFC 3339 timestamp with an offset, such as 2026-12-07T15:00:00Z");
        }
        if (!instant.isAfter(now)) {
            throw at.invalid("must be in the future: it is " + now + " now");
        }
        if (instant.isAfter(now.plus(MAX))) {
            throw at.invalid("must be at most " + MAX.toDays() + " days ahead");
        }
        return instant;
    }
}
