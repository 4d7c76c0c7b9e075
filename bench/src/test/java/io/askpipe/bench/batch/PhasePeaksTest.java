package io.askpipe.bench.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhasePeaksTest {
    private static final List<String> SERVICES = List.of("ingest-api", "result-store");

    @Test
    void aSampleCountsInThePhaseItWasTakenInServiceByService() {
        List<Timeline.Phase> phases =
                List.of(new Timeline.Phase("upload", 100, 200), new Timeline.Phase("run", 300, 500));
        List<MemorySample> samples = List.of(
                new MemorySample("ingest-api", 150, 90, 300),
                new MemorySample("ingest-api", 180, 120, 280),
                new MemorySample("result-store", 150, 50, 400),
                // between the phases: in neither
                new MemorySample("ingest-api", 250, 999, 999),
                new MemorySample("ingest-api", 400, 60, 310),
                new MemorySample("result-store", 400, 70, 420));

        Map<String, Map<String, PhasePeaks.Peak>> peaks = PhasePeaks.of(phases, SERVICES, samples);

        assertThat(peaks.get("upload"))
                .containsEntry("ingest-api", new PhasePeaks.Peak(120, 300, 2))
                .containsEntry("result-store", new PhasePeaks.Peak(50, 400, 1));
        assertThat(peaks.get("run"))
                .containsEntry("ingest-api", new PhasePeaks.Peak(60, 310, 1))
                .containsEntry("result-store", new PhasePeaks.Peak(70, 420, 1));
    }

    @Test
    void aPhaseHoldsTheSamplesAtItsBothEnds() {
        List<MemorySample> samples = List.of(
                new MemorySample("ingest-api", 99, 1, 1),
                new MemorySample("ingest-api", 100, 10, 10),
                new MemorySample("ingest-api", 200, 20, 20),
                new MemorySample("ingest-api", 201, 30, 30));

        Map<String, Map<String, PhasePeaks.Peak>> peaks =
                PhasePeaks.of(List.of(new Timeline.Phase("upload", 100, 200)), SERVICES, samples);

        assertThat(peaks.get("upload")).containsEntry("ingest-api", new PhasePeaks.Peak(20, 20, 2));
    }

    @Test
    void overlappingPhasesEachCountTheSamplesTheyHold() {
        List<Timeline.Phase> phases =
                List.of(new Timeline.Phase("expanding", 100, 200), new Timeline.Phase("run", 50, 400));
        List<MemorySample> samples =
                List.of(new MemorySample("ingest-api", 150, 80, 300), new MemorySample("ingest-api", 350, 90, 290));

        Map<String, Map<String, PhasePeaks.Peak>> peaks = PhasePeaks.of(phases, SERVICES, samples);

        assertThat(peaks.get("expanding")).containsEntry("ingest-api", new PhasePeaks.Peak(80, 300, 1));
        assertThat(peaks.get("run")).containsEntry("ingest-api", new PhasePeaks.Peak(90, 300, 2));
    }

    @Test
    void aServiceWithoutASampleInAPhaseHasNoPeakThereAndAnUnreadFigureIsNoPeak() {
        List<MemorySample> samples = List.of(new MemorySample("ingest-api", 150, 0, 300));

        Map<String, Map<String, PhasePeaks.Peak>> peaks =
                PhasePeaks.of(List.of(new Timeline.Phase("finalizing", 100, 200)), SERVICES, samples);

        assertThat(peaks.get("finalizing"))
                .containsOnlyKeys("ingest-api")
                .containsEntry("ingest-api", new PhasePeaks.Peak(0, 300, 1));
    }

    @Test
    void thePhasesComeInTheOrderGiven() {
        List<Timeline.Phase> phases =
                List.of(new Timeline.Phase("b", 0, 1), new Timeline.Phase("a", 2, 3), new Timeline.Phase("c", 4, 5));

        assertThat(PhasePeaks.of(phases, SERVICES, List.of()).keySet()).containsExactly("b", "a", "c");
    }

    @Test
    void theHighestLoadOfAPhaseIsAmongTheReadingsWithinIt() {
        Map<Long, Double> loads = Map.of(50L, 30.0, 100L, 4.0, 150L, 6.5, 200L, 5.0, 250L, 40.0);

        assertThat(PhasePeaks.highestLoad(new Timeline.Phase("upload", 100, 200), loads))
                .contains(6.5);
        assertThat(PhasePeaks.highestLoad(new Timeline.Phase("none", 300, 400), loads))
                .isEmpty();
    }
}
