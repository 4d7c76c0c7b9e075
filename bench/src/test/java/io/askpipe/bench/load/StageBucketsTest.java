package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StageBucketsTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void readsTheBucketsOfEachStageAndWhatTheyGainedBetweenTwoScrapes() {
        StageBuckets before = StageBuckets.parse("""
                # TYPE ask_stage_seconds histogram
                ask_stage_seconds_bucket{stage="worker",le="0.001"} 10.0
                ask_stage_seconds_bucket{stage="worker",le="0.005"} 20.0
                ask_stage_seconds_bucket{stage="worker",le="+Inf"} 20.0
                ask_stage_seconds_count{stage="worker"} 20.0
                """);
        StageBuckets after = StageBuckets.parse("""
                ask_stage_seconds_bucket{stage="ingest_claim",le="0.001"} 4.0
                ask_stage_seconds_bucket{stage="ingest_claim",le="+Inf"} 4.0
                ask_stage_seconds_bucket{stage="worker",le="0.001"} 11.0
                ask_stage_seconds_bucket{stage="worker",le="0.005"} 60.0
                ask_stage_seconds_bucket{stage="worker",le="+Inf"} 120.0
                http_server_requests_seconds_bucket{le="0.001"} 7.0
                """);

        assertThat(after.byStage()).containsOnlyKeys("ingest_claim", "worker");
        assertThat(after.since(before, "worker"))
                .containsExactly(Map.entry(0.001, 1.0), Map.entry(0.005, 40.0), Map.entry(INF, 100.0));
        assertThat(after.since(before, "ingest_claim"))
                .as("a stage the first scrape did not have")
                .containsExactly(Map.entry(0.001, 4.0), Map.entry(INF, 4.0));
    }

    @Test
    void theBoundOfAQuantileIsTheSmallestBucketHoldingIt() {
        Map<Double, Double> buckets = Map.of(0.001, 1.0, 0.005, 40.0, 0.25, 99.0, INF, 100.0);
        var sorted = new java.util.TreeMap<>(buckets);

        assertThat(StageBuckets.bound(sorted, 0.01)).isEqualTo(0.001);
        assertThat(StageBuckets.bound(sorted, 0.4)).isEqualTo(0.005);
        assertThat(StageBuckets.bound(sorted, 0.99)).isEqualTo(0.25);
        assertThat(StageBuckets.bound(sorted, 1.0)).isEqualTo(INF);
    }
}
