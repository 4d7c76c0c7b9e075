package io.askpipe.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimingsTest {
    @Test
    void percentilesAreNearestRanksInMillisecondsOfNanosecondValues() {
        Timings timings = new Timings();
        for (long micros = 200; micros >= 1; micros--) {
            timings.add(micros * 1_000); // 200 values, 1 µs to 200 µs, largest first
        }

        Timings.Summary summary = timings.summary();

        assertThat(summary.count()).isEqualTo(200);
        assertThat(summary.p50Ms()).isEqualTo(0.100);
        assertThat(summary.p99Ms()).isEqualTo(0.198);
        assertThat(summary.maxMs()).isEqualTo(0.200);
        assertThat(summary.meanMs()).isEqualTo(0.1005);
    }

    @Test
    void keepsSubMicrosecondDurations() {
        Timings timings = new Timings();
        timings.add(450);
        timings.add(550);

        assertThat(timings.summary().p50Ms()).isEqualTo(0.00045);
        assertThat(timings.summary().meanMs()).isEqualTo(0.0005);
    }

    @Test
    void aNegativeDurationCountsAsZero() {
        Timings timings = new Timings();
        timings.add(-5);

        assertThat(timings.summary().maxMs()).isZero();
    }

    @Test
    void nothingRecordedIsAllZero() {
        assertThat(new Timings().summary()).isEqualTo(Timings.Summary.EMPTY);
    }

    @Test
    void growsPastItsFirstThousandValues() {
        Timings timings = new Timings();
        for (int i = 1; i <= 5_000; i++) {
            timings.add(i);
        }

        assertThat(timings.count()).isEqualTo(5_000);
        assertThat(timings.summary().maxMs()).isEqualTo(0.005);
    }
}
