package io.askpipe.store.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanShutdownMarkerTest {
    @TempDir
    Path stateDir;

    @Test
    void aFirstStartHasNothingStale() throws Exception {
        assertThat(CleanShutdownMarker.consume(stateDir, "app")).isTrue();
        Files.createDirectories(stateDir.resolve("app"));
        assertThat(CleanShutdownMarker.consume(stateDir, "app"))
                .as("an empty state directory")
                .isTrue();
    }

    @Test
    void localStateWithoutTheMarkerFollowsACrash() throws Exception {
        Files.createDirectories(stateDir.resolve("app").resolve("1_0"));
        assertThat(CleanShutdownMarker.consume(stateDir, "app")).isFalse();
    }

    @Test
    void aCleanStopIsRememberedForOneStartOnly() throws Exception {
        Files.createDirectories(stateDir.resolve("app").resolve("1_0"));
        CleanShutdownMarker.write(stateDir, "app");
        assertThat(CleanShutdownMarker.consume(stateDir, "app")).isTrue();
        assertThat(CleanShutdownMarker.consume(stateDir, "app"))
                .as("a crash after this start leaves no marker")
                .isFalse();
    }
}
