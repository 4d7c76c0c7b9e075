package io.askpipe.bench.batch;

import io.askpipe.bench.load.AskLoadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one run of the batch benchmark measured, phase by phase, with the same run's interactive
 * figures beside the batch's.
 *
 * @param alone interactive asks at the steady rate with nothing else running
 * @param closed the closed loop of interactive submits, and how its asks reached their rows
 * @param upload the batch's input file's upload
 * @param batch the batch's moments by the database's clock
 * @param download the reading of its output and error files
 * @param beside interactive asks at the same rate from the batch's create to its end
 * @param phases every phase of the run on the samples' clock
 * @param services the services' process names, in the order the deployment lists them
 * @param memory each service's peaks, phase by phase
 * @param load the machine's highest 1-minute load average read in each phase
 */
public record BatchLoadResult(
        Instant startedAt,
        Host host,
        BatchLoadOptions options,
        InteractiveLoad.OpenRun alone,
        Closed closed,
        Transfer upload,
        BatchTimes batch,
        Transfer download,
        InteractiveLoad.OpenRun beside,
        List<Timeline.Phase> phases,
        List<String> services,
        Map<String, Map<String, PhasePeaks.Peak>> memory,
        Map<String, Double> load) {

    /** The closed loop's submits, and the rate at which their asks reached a terminal row. */
    record Closed(InteractiveLoad.ClosedRun run, AskLoadResult.Completion completion) {}

    /**
     * A file moved over HTTP.
     *
     * @param bytes its size (both files', for a download)
     * @param lines its lines
     */
    record Transfer(long bytes, long lines, double seconds) {
        double megabytesPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    /**
     * The machine the run was on.
     *
     * @param memoryBytes its memory ({@code MemTotal})
     * @param loadAtStart its 1-, 5- and 15-minute load averages when the run began
     */
    public record Host(int cores, long memoryBytes, String cpu, String os, String java, String loadAtStart) {
        /** This machine, now. */
        static Host here() {
            AskLoadResult.Machine machine = AskLoadResult.Machine.here();
            long memory = 0;
            String load = "unknown";
            try {
                memory = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                                .filter(line -> line.startsWith("MemTotal:"))
                                .findFirst()
                                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                                .orElse(0L)
                        * 1024;
                String[] averages = Files.readString(Path.of("/proc/loadavg")).split(" ");
                load = averages[0] + " " + averages[1] + " " + averages[2];
            } catch (IOException | RuntimeException e) {
                // not Linux: unknown
            }
            return new Host(machine.cores(), memory, machine.cpu(), machine.os(), machine.java(), load);
        }
    }

    /** Batch lines per second from create to end over interactive asks completed per second. */
    double linesPerCompletedAsk() {
        return ratio(batch.linesPerSecond(), closed.completion().rate());
    }

    /** The interactive p99 submit to result beside the batch over the same without it. */
    double p99Ratio() {
        return ratio(beside.result().p99Ms(), alone.result().p99Ms());
    }

    /** The interactive p50 submit to result beside the batch over the same without it. */
    double p50Ratio() {
        return ratio(beside.result().p50Ms(), alone.result().p50Ms());
    }

    /** The phase {@code name}, if it ran. */
    Optional<Timeline.Phase> phase(String name) {
        return phases.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** {@code value / baseline}; NaN when there is no baseline. */
    static double ratio(double value, double baseline) {
        return baseline > 0 ? value / baseline : Double.NaN;
    }
}
