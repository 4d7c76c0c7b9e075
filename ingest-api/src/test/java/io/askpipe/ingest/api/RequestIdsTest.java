package io.askpipe.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    /** This test's own sequence, apart from the ids the rest of the JVM makes. */
    private final AtomicLong last = new AtomicLong();

    @Test
    void idsMadeInOneMillisecondSortInTheOrderTheyWereMade() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-07T12:00:00.123Z"), ZoneOffset.UTC);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            ids.add(RequestIds.next(clock, last).toString());
        }

        assertThat(ids).isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates();
        UUID first = UUID.fromString(ids.getFirst());
        assertThat(first.version()).isEqualTo(7);
        assertThat(first.variant()).isEqualTo(2);
        assertThat(first.getMostSignificantBits() >>> 16)
                .as("the millisecond, until the counter ran over")
                .isEqualTo(clock.millis());
        // 5,000 ids need more than one millisecond's counter: later ids moved on, never back
        assertThat(UUID.fromString(ids.getLast()).getMostSignificantBits() >>> 16)
                .isGreaterThan(clock.millis());
    }

    @Test
    void aLaterMillisecondStartsAboveEveryEarlierId() {
        Instant start = Instant.parse("2026-12-07T12:00:01Z");
        String early = RequestIds.next(Clock.fixed(start, ZoneOffset.UTC), last).toString();
        String late = RequestIds.next(Clock.fixed(start.plusMillis(1), ZoneOffset.UTC), last)
                .toString();
        String earlierClock =
                RequestIds.next(Clock.fixed(start, ZoneOffset.UTC), last).toString();

        assertThat(late).isGreaterThan(early);
        assertThat(earlierClock)
                .as("a clock that steps back does not reorder ids")
                .isGreaterThan(late);
    }
}
