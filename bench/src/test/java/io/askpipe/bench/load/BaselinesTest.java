package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.bench.load.AskLoadResult.EndToEndBaseline;
import io.askpipe.bench.load.AskLoadResult.ProducerBaseline;
import org.junit.jupiter.api.Test;

/** What the baselines take from Kafka's tools' output. */
class BaselinesTest {
    @Test
    void producerPerformanceIsReadFromItsSummaryNotItsProgressLines() {
        String out = """
                241237 records sent, 48228.4 records/sec (13.80 MB/sec), 5.2 ms avg latency, 220.0 ms max latency.
                500000 records sent, 110889.2 records/sec (31.73 MB/sec), 4.12 ms avg latency, 250.00 ms max latency, 3 ms 50th, 10 ms 95th, 20 ms 99th, 30 ms 99.9th.
                """;

        assertThat(Baselines.producerSummary(out)).isEqualTo(new ProducerBaseline(500_000, 300, 110889.2, 4.12, 3, 20));
    }

    @Test
    void endToEndLatencyIsReadFromItsAverageAndPercentiles() {
        String out = """
                0	1.83
                1000	1.1
                Avg latency: 1.1500 ms
                Percentiles: 50th = 1, 99th = 5, 99.9th = 12
                """;

        assertThat(Baselines.endToEndSummary(out)).isEqualTo(new EndToEndBaseline(5000, 1.15, 1, 5));
    }

    @Test
    void outputWithoutTheFiguresSaysWhatTheToolSaid() {
        assertThatThrownBy(() -> Baselines.producerSummary("Exception in thread main"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ProducerPerformance said:\nException in thread main");
    }
}
