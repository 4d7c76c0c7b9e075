package io.askpipe.drill.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.drill.report.DrillReport.FaultCount;
import io.askpipe.drill.report.DrillReport.Faults;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FaultLedgerTest {
    private static final String AT = "2026-12-07T10:10:27.762Z WARN  [vt-1] i.a.c.chaos.Chaos - ";

    @Test
    void countsStrikesAndDistinctPlacesByFault() {
        Faults faults = FaultLedger.tally(Stream.of(
                AT + "chaos: injected vendor_failure at drill-s1-3",
                AT + "an unrelated line",
                AT + "chaos: injected vendor_failure at drill-s1-7",
                AT + "chaos: injected vendor_failure at drill-s1-3", // a redone ask strikes its place again
                AT + "chaos: injected webhook_failure at msg_r1"));

        assertThat(faults.byType())
                .containsExactly(
                        Map.entry("vendor_failure", new FaultCount(3, 2)),
                        Map.entry("webhook_failure", new FaultCount(1, 1)));
        assertThat(faults.distinctPlaces()).isEqualTo(3);
        // sha256 of "vendor_failure drill-s1-3\nvendor_failure drill-s1-7\nwebhook_failure msg_r1\n"
        assertThat(faults.fingerprint()).isEqualTo("a83287a5fb447ec5");
    }

    @Test
    void theFingerprintDependsOnTheSetOfPlacesNotOnOrderOrRepeats() {
        Faults once = FaultLedger.tally(Stream.of(
                "chaos: injected vendor_failure at drill-s1-3", "chaos: injected store_failure at drill-s1-4"));
        Faults shuffled = FaultLedger.tally(Stream.of(
                "chaos: injected store_failure at drill-s1-4",
                "chaos: injected vendor_failure at drill-s1-3",
                "chaos: injected store_failure at drill-s1-4"));
        Faults elsewhere = FaultLedger.tally(Stream.of(
                "chaos: injected vendor_failure at drill-s1-3", "chaos: injected store_failure at drill-s1-5"));

        assertThat(shuffled.fingerprint()).isEqualTo(once.fingerprint());
        assertThat(elsewhere.fingerprint()).isNotEqualTo(once.fingerprint());
    }

    @Test
    void fromMetricsOnlyTheGrowthSinceTheLedgerOpenedCountsWithoutPlaces() {
        Map<String, Double> before = FaultLedger.chaosEvents("""
                # HELP chaos_events_total Faults injected by chaos mode
                # TYPE chaos_events_total counter
                chaos_events_total{fault="store_failure",service="result-store"} 4.0
                chaos_events_total{fault="vendor_failure",service="router-worker"} 10.0
                """);
        Map<String, Double> after = FaultLedger.chaosEvents("""
                chaos_events_total{fault="store_failure",service="result-store"} 4.0
                chaos_events_total{fault="vendor_failure",service="router-worker"} 12.0
                chaos_events_total{fault="webhook_failure",service="result-store"} 1.0
                chaos_latency_seconds_count{fault="vendor_latency"} 3.0
                """);

        Faults faults = FaultLedger.since(before, after);

        assertThat(faults.byType())
                .containsExactly(
                        Map.entry("vendor_failure", new FaultCount(2, 0)),
                        Map.entry("webhook_failure", new FaultCount(1, 0)));
        assertThat(faults.distinctPlaces()).isZero();
        assertThat(faults.fingerprint()).isNull();
    }
}
