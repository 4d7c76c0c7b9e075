package io.askpipe.store.join;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Remembers, in the Streams state directory, that the application last stopped cleanly. A clean
 * close leaves the marker; the next start takes it away. A start that finds local state but no
 * marker follows a crash.
 */
public final class CleanShutdownMarker {
    private static final String NAME = ".askpipe-clean-shutdown";

    private CleanShutdownMarker() {}

    /**
     * Takes the marker of {@code applicationId} away; returns whether the last stop was clean (or
     * there is no local state at all, so nothing can be stale).
     */
    public static boolean consume(Path stateDir, String applicationId) {
        Path appDir = stateDir.resolve(applicationId);
        try {
            return Files.deleteIfExists(appDir.resolve(NAME)) || !Files.isDirectory(appDir) || isEmpty(appDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Streams state directory " + appDir, e);
        }
    }

    /** Leaves the marker after a clean close. */
    public static void write(Path stateDir, String applicationId) {
        Path appDir = stateDir.resolve(applicationId);
        try {
            if (Files.isDirectory(appDir)) {
                Files.writeString(appDir.resolve(NAME), "");
            }
        } catch (IOException e) {
            // without the marker the next start rebuilds its state: slower, still correct
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
