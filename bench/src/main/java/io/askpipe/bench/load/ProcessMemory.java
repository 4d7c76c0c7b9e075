package io.askpipe.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's memory as Linux accounts it, read from {@code /proc}. */
public final class ProcessMemory {
    private ProcessMemory() {}

    /**
     * The proportional set size of process {@code pid} in bytes (resident memory, shared pages
     * divided among the processes sharing them); 0 where there is no such file (not Linux, or the
     * process is gone).
     */
    public static long pss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone, or not Linux
        }
        return 0;
    }
}
