package io.askpipe.drill.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutOfMemoryExitsTest {
    /** A router worker's log across an exit out of heap and its restart, as the supervisor appends it. */
    private static final String LOG = """
            00:41:07.112 INFO  i.a.router.consume.AskConsumer - router consuming ask.requests
            00:41:09.530 WARN  i.a.router.route.Router - chaos: injected vendor_failure at drill-s1-41/1
            Terminating due to java.lang.OutOfMemoryError: Java heap space
            00:41:12.004 INFO  i.a.common.service.Startup - router-worker starting
            00:41:20.871 ERROR i.a.router.route.Router - ask r-17 failed: java.lang.OutOfMemoryError: Java heap space
            Terminating due to java.lang.OutOfMemoryError: Metaspace
            """;

    @Test
    void countsTheLinesTheJvmPrintsAsItExitsOutOfMemory() {
        assertThat(OutOfMemoryExits.count(LOG.lines())).isEqualTo(2);
    }

    @Test
    void anOutOfMemoryErrorLoggedButSurvivedIsNoExit() {
        assertThat(OutOfMemoryExits.count(Stream.of(
                        "00:41:20.871 ERROR i.a.router.route.Router - java.lang.OutOfMemoryError: Java heap space",
                        "Caused by: java.lang.OutOfMemoryError: Direct buffer memory")))
                .isZero();
    }

    @Test
    void readsTheServicesLogAndNoLogHasNone(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("router-worker-1.log");
        assertThat(OutOfMemoryExits.in(log)).isZero();

        // a byte that is not UTF-8 before the line must not hide it
        Files.write(log, new byte[] {(byte) 0xff, '\n'});
        Files.writeString(log, LOG, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);

        assertThat(OutOfMemoryExits.in(log)).isEqualTo(2);
    }
}
