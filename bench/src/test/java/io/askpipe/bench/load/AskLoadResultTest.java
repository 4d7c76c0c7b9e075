package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.bench.load.AskLoadResult.DurableBaseline;
import io.askpipe.bench.load.AskLoadResult.IngestPeak;
import io.askpipe.bench.load.AskLoadResult.Sustained;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The arithmetic of the results: rates, the ingest peak's shares of its baselines, CPU per ask. */
class AskLoadResultTest {
    @Test
    void theIngestPeakIsAShareOfTheHelloWorldsAndOfItsDurableWorks() {
        IngestPeak peak = new IngestPeak(
                64, run(40_000, 10), run(1_000, 10), new DurableBaseline(64, 4_000, 10.0, 1, 2, 3, Map.of()));

        assertThat(peak.ingestRate()).isEqualTo(100.0);
        assertThat(peak.helloRate()).isEqualTo(4_000.0);
        assertThat(peak.durable().rate()).isEqualTo(400.0);
        assertThat(peak.ingestOverHello()).isEqualTo(0.025);
        assertThat(peak.ingestOverDurable()).isEqualTo(0.25);
    }

    @Test
    void withoutABaselineThereIsNoShare() {
        IngestPeak peak =
                new IngestPeak(64, run(0, 10), run(1_000, 10), new DurableBaseline(64, 0, 0.0, 0, 0, 0, Map.of()));

        assertThat(peak.durable().rate()).isZero();
        assertThat(peak.ingestOverDurable()).isZero();
        assertThat(peak.ingestOverHello()).isZero();
    }

    @Test
    void cpuPerAskIsTheCpuTimeBetweenTwoReadingsSharedAmongTheAsks() {
        assertThat(Sustained.msPerAsk(Duration.ofSeconds(10), Duration.ofSeconds(13), 6_000))
                .isEqualTo(0.5);
        assertThat(Sustained.msPerAsk(Duration.ZERO, Duration.ofMillis(7), 0)).isZero();
    }

    /** A closed-loop run of {@code count} answered requests over {@code seconds}. */
    private static HttpLoad.Run run(int count, int seconds) {
        HttpLoad.Run run = new HttpLoad.Run();
        for (int i = 0; i < count; i++) {
            run.submit.recordValue(1_000);
        }
        run.startedNanos = 0;
        run.endedNanos = seconds * 1_000_000_000L;
        return run;
    }
}
