package io.askpipe.drill.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The exits of a service caused by an {@link OutOfMemoryError}, counted in its log: under {@code
 * -XX:+ExitOnOutOfMemoryError} the JVM prints one line, {@code Terminating due to
 * java.lang.OutOfMemoryError: <what ran out>}, and exits.
 */
final class OutOfMemoryExits {
    /** The line the JVM prints as it exits. */
    static final String LINE = "Terminating due to java.lang.OutOfMemoryError";

    private OutOfMemoryExits() {}

    /** The exits the log at {@code log} tells; 0 if there is no log. */
    static int in(Path log) {
        if (!Files.exists(log)) {
            return 0;
        }
        // a service's output may carry bytes of another encoding: they must not hide a line
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return count(lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exits {@code lines} of a log tell. */
    static int count(Stream<String> lines) {
        return (int) lines.filter(line -> line.contains(LINE)).count();
    }
}
