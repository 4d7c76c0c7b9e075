package io.askpipe.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

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
            return pss(Files.readString(Path.of("/proc", String.valueOf(pid), "smaps_rollup")))
                    .orElse(0);
        } catch (IOException e) {
            return 0; // gone, or not Linux
        }
    }

    /**
     * The proportional set size in bytes that the text of a {@code smaps_rollup} file gives on its
     * {@code Pss:} line (in kB); empty when it has no such line.
     */
    static OptionalLong pss(String smapsRollup) {
        for (String line : smapsRollup.split("\n")) {
            if (line.startsWith("Pss:")) {
                try {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }
}
