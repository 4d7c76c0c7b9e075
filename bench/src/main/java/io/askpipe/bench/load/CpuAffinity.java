package io.askpipe.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CPUs a Linux process may run on: set by util-linux's {@code taskset} (on a command it starts,
 * or on every thread of a running process), and told by the {@code Cpus_allowed_list} line of
 * {@code /proc/<pid>/status}.
 */
final class CpuAffinity {
    private CpuAffinity() {}

    /** The {@code taskset} program on {@code path} (a {@code PATH} value), if there is one. */
    static Optional<Path> taskset(String path) {
        return Stream.of(path == null ? new String[0] : path.split(":"))
                .filter(directory -> !directory.isEmpty())
                .map(directory -> Path.of(directory, "taskset"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** {@code command}, started by {@code taskset} on CPU {@code cpu} alone. */
    static List<String> pinned(Path taskset, int cpu, List<String> command) {
        List<String> pinned = new ArrayList<>(List.of(taskset.toString(), "-c", String.valueOf(cpu)));
        pinned.addAll(command);
        return pinned;
    }

    /** Pins every thread of process {@code pid} to CPU {@code cpu}; a thread it starts later inherits that. */
    static void pin(Path taskset, long pid, int cpu) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        taskset.toString(), "-a", "-p", "-c", String.valueOf(cpu), String.valueOf(pid))
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("taskset could not pin process " + pid + " to CPU " + cpu + ":\n" + out);
        }
    }

    /** The CPUs process {@code pid} may run on now ({@code 0-1}, {@code 1}, ...); empty once it is gone. */
    static Optional<String> allowed(long pid) {
        try {
            return allowedIn(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The {@code Cpus_allowed_list} of a {@code /proc/<pid>/status} text. */
    static Optional<String> allowedIn(String status) {
        return status.lines()
                .filter(line -> line.startsWith("Cpus_allowed_list:"))
                .map(line -> line.substring("Cpus_allowed_list:".length()).strip())
                .findFirst();
    }
}
