package io.askpipe.bench.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapMetricTest {
    @Test
    void theHeapIsEveryHeapPoolInUseAndNothingElse() {
        String scrape = """
                # HELP jvm_memory_used_bytes The amount of used memory
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="Eden Space",service="ingest-api"} 1.2E7
                jvm_memory_used_bytes{area="heap",id="Survivor Space",service="ingest-api"} 1000000.0
                jvm_memory_used_bytes{area="heap",id="Tenured Gen",service="ingest-api"} 3.5E7
                jvm_memory_used_bytes{area="nonheap",id="Metaspace",service="ingest-api"} 9.9E7
                jvm_memory_max_bytes{area="heap",id="Tenured Gen",service="ingest-api"} 1.78E8
                jvm_memory_used_bytes_total{area="heap"} 5.0E9
                """;

        assertThat(HeapMetric.usedHeap(scrape)).isEqualTo(48_000_000L);
    }

    @Test
    void aScrapeWithoutTheMetricIsNoHeap() {
        assertThat(HeapMetric.usedHeap("process_uptime_seconds 12.0\n")).isZero();
    }
}
