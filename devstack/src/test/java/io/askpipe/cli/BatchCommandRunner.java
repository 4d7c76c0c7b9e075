package io.askpipe.cli;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code ./askpipe batch} run in the tests' own JVM against a running API, as {@link
 * BatchCommand#main} runs it in a process of its own: the dev stack's tests reach the command
 * through this door, so that its constructor stays the package's.
 */
public final class BatchCommandRunner {
    private BatchCommandRunner() {}

    /**
     * Runs the command line {@code args} against the API at {@code base} with {@code apiKey}, file
     * arguments relative to {@code workingDirectory}, progress printed a line at a time and polled
     * every {@code poll}; returns the exit status.
     */
    public static int run(
            URI base,
            String apiKey,
            Path workingDirectory,
            PrintStream out,
            PrintStream err,
            Duration poll,
            List<String> args) {
        return new BatchCommand(new BatchApi(base, apiKey), workingDirectory, out, err, false, poll).run(args);
    }
}
