package io.askpipe.bench.batch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which samples belong to which phase: a sample taken within a phase (its ends included) counts
 * in it, in every phase that holds it where phases overlap; the peak of a phase is the largest of
 * its samples, service by service.
 */
final class PhasePeaks {
    private PhasePeaks() {}

    /**
     * A service's peaks in one phase.
     *
     * @param heapBytes the largest heap in use read; 0 if none could be read
     * @param pssBytes the largest proportional set size read; 0 if none could be read
     * @param samples how many samples the phase held
     */
    record Peak(long heapBytes, long pssBytes, int samples) {}

    /**
     * Phase by phase (in the order given), service by service (in the order given), the peaks of
     * the samples within it; a service without a sample in a phase has no peak there.
     */
    static Map<String, Map<String, Peak>> of(
            List<Timeline.Phase> phases, List<String> services, List<MemorySample> samples) {
        Map<String, Map<String, Peak>> byPhase = new LinkedHashMap<>();
        for (Timeline.Phase phase : phases) {
            Map<String, Peak> byService = new LinkedHashMap<>();
            for (String service : services) {
                peak(phase, service, samples).ifPresent(peak -> byService.put(service, peak));
            }
            byPhase.put(phase.name(), byService);
        }
        return byPhase;
    }

    private static Optional<Peak> peak(Timeline.Phase phase, String service, List<MemorySample> samples) {
        long heap = 0;
        long pss = 0;
        int count = 0;
        for (MemorySample sample : samples) {
            if (sample.service().equals(service) && phase.contains(sample.atNanos())) {
                heap = Math.max(heap, sample.heapBytes());
                pss = Math.max(pss, sample.pssBytes());
                count++;
            }
        }
        return count == 0 ? Optional.empty() : Optional.of(new Peak(heap, pss, count));
    }

    /** The highest of {@code loads} (1-minute load averages, by when they were read) within {@code phase}. */
    static Optional<Double> highestLoad(Timeline.Phase phase, Map<Long, Double> loads) {
        return loads.entrySet().stream()
                .filter(load -> phase.contains(load.getKey()))
                .map(Map.Entry::getValue)
                .max(Double::compare);
    }
}
