package io.askpipe.bench.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatenciesTest {
    @Test
    void percentilesAreNearestRanks() {
        long[] oneToHundred = LongStream.rangeClosed(1, 100).toArray();

        assertThat(Latencies.percentile(oneToHundred, 50)).isEqualTo(50);
        assertThat(Latencies.percentile(oneToHundred, 90)).isEqualTo(90);
        assertThat(Latencies.percentile(oneToHundred, 99)).isEqualTo(99);
        assertThat(Latencies.percentile(oneToHundred, 99.5)).isEqualTo(100);
        assertThat(Latencies.percentile(oneToHundred, 100)).isEqualTo(100);
        assertThat(Latencies.percentile(oneToHundred, 0)).isEqualTo(1);
    }

    @Test
    void ninetyNineNineOfAThousandIsTheNineHundredNinetyNinthNotTheLast() {
        long[] thousand = LongStream.rangeClosed(1, 1000).toArray();

        assertThat(Latencies.percentile(thousand, 99.9)).isEqualTo(999);
    }

    @Test
    void oneValueIsEveryPercentile() {
        assertThat(Latencies.percentile(new long[] {7}, 50)).isEqualTo(7);
        assertThat(Latencies.percentile(new long[] {7}, 99)).isEqualTo(7);
    }

    @Test
    void theSummaryIsInMillisecondsWhateverOrderTheValuesCameIn() {
        Latencies latencies = new Latencies();
        for (long micros = 200_000; micros >= 1_000; micros -= 1_000) {
            latencies.add(micros); // 200 values, 1 ms to 200 ms, largest first
        }

        Latencies.Summary summary = latencies.summary();

        assertThat(summary.count()).isEqualTo(200);
        assertThat(summary.p50Ms()).isEqualTo(100.0);
        assertThat(summary.p90Ms()).isEqualTo(180.0);
        assertThat(summary.p99Ms()).isEqualTo(198.0);
        assertThat(summary.maxMs()).isEqualTo(200.0);
    }

    @Test
    void nothingRecordedIsAnEmptySummaryAndANegativeValueCountsAsZero() {
        assertThat(new Latencies().summary()).isEqualTo(Latencies.Summary.EMPTY);

        Latencies latencies = new Latencies();
        latencies.add(-5);
        assertThat(latencies.summary().maxMs()).isZero();
    }

    @Test
    void itGrowsPastItsFirstArray() {
        Latencies latencies = new Latencies();
        for (int i = 1; i <= 5000; i++) {
            latencies.add(i * 1000L);
        }

        assertThat(latencies.count()).isEqualTo(5000);
        assertThat(latencies.summary().p99Ms()).isEqualTo(4950.0);
    }
}
