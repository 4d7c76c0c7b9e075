package io.askpipe.store.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.config.Env;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static RetrySchedule schedule(String delays, int jitterPercent) {
        WebhookSettings settings = WebhookSettings.fromEnv(Env.of(Map.of(
                "WEBHOOK_RETRY_SCHEDULE", delays, "WEBHOOK_RETRY_JITTER_PERCENT", Integer.toString(jitterPercent))));
        return new RetrySchedule(settings, new SplittableRandom(7), CLOCK);
    }

    @Test
    void aRoundHasOneAttemptMoreThanTheScheduleHasDelays() {
        RetrySchedule schedule = schedule("1s,1m", 0);
        assertThat(schedule.last(1)).isFalse();
        assertThat(schedule.last(2)).isFalse();
        assertThat(schedule.last(3)).isTrue();
    }

    @Test
    void withoutJitterEachRetryWaitsItsDelayInTheSchedule() {
        RetrySchedule schedule = schedule("1s,1m", 0);
        assertThat(schedule.delay(1, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
        assertThat(schedule.delay(2, Optional.empty())).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aLongerRetryAfterPushesTheNextAttemptBackAndAShorterOneDoesNotBringItForward() {
        RetrySchedule schedule = schedule("1s,1m", 0);
        assertThat(schedule.delay(1, Optional.of("120"))).isEqualTo(Duration.ofSeconds(120));
        assertThat(schedule.delay(2, Optional.of("5"))).isEqualTo(Duration.ofMinutes(1));
        assertThat(schedule.delay(1, Optional.of("soon")))
                .as("an unreadable Retry-After is ignored")
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aRetryAfterPushesBackByADayAtMost() {
        assertThat(schedule("1s", 0).delay(1, Optional.of("999999"))).isEqualTo(WebhookSettings.MAX_RETRY_AFTER);
    }

    @Test
    void anHttpDateIsMeasuredFromTheInjectedClock() {
        String inTenMinutes =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(600).atZone(ZoneOffset.UTC));
        assertThat(schedule("1s", 0).delay(1, Optional.of(inTenMinutes))).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void jitterMovesEachDelayByUpToItsShareEitherWay() {
        RetrySchedule schedule = schedule("10s,0s", 20);
        boolean shorter = false;
        boolean longer = false;
        for (int i = 0; i < 200; i++) {
            Duration delay = schedule.delay(1, Optional.empty());
            assertThat(delay).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(12));
            shorter |= delay.compareTo(Duration.ofSeconds(10)) < 0;
            longer |= delay.compareTo(Duration.ofSeconds(10)) > 0;
        }
        assertThat(shorter && longer).as("jittered both ways").isTrue();
        assertThat(schedule.delay(2, Optional.empty()))
                .as("no delay stays none")
                .isZero();
    }
}
