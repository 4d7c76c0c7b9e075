package io.askpipe.ingest.quota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestRateTest {
    private static final long NOW = 1_000_000_000_000L;
    private static final long SECOND = 1_000_000L;

    /** Admits as the statement does: returns the new arrival time, or -1 when refused. */
    private static long admit(RequestRate rate, long tat, long now) {
        long next = Math.max(tat, now) + rate.intervalUs();
        return next - now <= RequestRate.WINDOW_US ? next : -1;
    }

    @Test
    void admitsTheWholeQuotaAtOnceAndThenOneAnIntervalLater() {
        RequestRate rate = new RequestRate(6); // one each 10 s
        long tat = NOW;
        for (int i = 0; i < 6; i++) {
            tat = admit(rate, tat, NOW);
            assertThat(tat).as("ask %d", i).isPositive();
            assertThat(rate.remaining(tat, NOW)).isEqualTo(5 - i);
        }
        assertThat(admit(rate, tat, NOW)).as("the seventh").isEqualTo(-1);
        assertThat(rate.retryAfterSeconds(tat, NOW)).isEqualTo(10);
        assertThat(admit(rate, tat, NOW + 10 * SECOND - 1)).as("just before").isEqualTo(-1);
        assertThat(admit(rate, tat, NOW + 10 * SECOND)).as("an interval later").isPositive();
    }

    @Test
    void aBucketLeftAloneIsFullAgainAfterAMinute() {
        RequestRate rate = new RequestRate(60);
        long tat = admit(rate, NOW, NOW);
        assertThat(rate.remaining(tat, NOW)).isEqualTo(59);
        assertThat(rate.secondsUntilFull(tat, NOW)).isEqualTo(1);
        assertThat(rate.remaining(tat, NOW + 5 * SECOND))
                .as("never more than the quota")
                .isEqualTo(60);
        assertThat(rate.secondsUntilFull(tat, NOW + 5 * SECOND)).isZero();
    }

    @Test
    void retryAfterIsAtLeastASecond() {
        RequestRate rate = new RequestRate(1_000_000);
        long tat = NOW + RequestRate.WINDOW_US;
        assertThat(rate.retryAfterSeconds(tat, NOW)).isEqualTo(1);
    }
}
