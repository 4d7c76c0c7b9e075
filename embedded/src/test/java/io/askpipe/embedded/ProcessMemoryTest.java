package io.askpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {
    /** The head of a JVM's {@code /proc/<pid>/smaps_rollup}, as Linux 6 writes it. */
    private static final String SMAPS_ROLLUP = """
            00400000-7ffd3b5fe000 ---p 00000000 00:00 0                              [rollup]
            Rss:              312644 kB
            Pss:              298317 kB
            Pss_Dirty:        281022 kB
            Pss_Anon:         280964 kB
            Pss_File:          17353 kB
            Pss_Shmem:             0 kB
            Shared_Clean:      16012 kB
            Private_Dirty:    281022 kB
            Swap:                  0 kB
            SwapPss:               0 kB
            """;

    @Test
    void readsThePssLineInKibibytesAsBytes() {
        assertThat(ProcessMemory.pss(SMAPS_ROLLUP)).hasValue(298_317L * 1024);
    }

    @Test
    void aTextWithoutAPssLineHasNone() {
        assertThat(ProcessMemory.pss("Rss:              312644 kB\n")).isEmpty();
        assertThat(ProcessMemory.pss("")).isEmpty();
    }

    @Test
    void aProcessThatIsNotThereTakesNoMemory() {
        assertThat(ProcessMemory.pss(-1)).isZero();
    }

    @Test
    void thisProcessTakesSomeWhereThereIsProc() {
        assumeTrue(Files.exists(Path.of("/proc/self/smaps_rollup")), "Linux's /proc");

        assertThat(ProcessMemory.pss(ProcessHandle.current().pid())).isPositive();
    }
}
