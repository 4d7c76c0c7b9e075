package io.askpipe.bench.load;

import io.askpipe.embedded.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The load generator's other JVMs: the hello-world server and Kafka's tools, each a {@code main} in a child process. */
final class ChildProcesses {
    private ChildProcesses() {}

    /** Starts {@code mainClass} in a JVM of its own (512 MB heap), its output and errors on one stream. */
    static Process start(String mainClass, String... args) throws IOException {
        return new ProcessBuilder(ChildJvm.command(List.of("-Xmx512m"), mainClass, args))
                .redirectErrorStream(true)
                .start();
    }

    /** Runs {@code mainClass} to its end; returns its output, or fails with it if the run failed. */
    static String run(String mainClass, String... args) throws IOException, InterruptedException {
        Process process = start(mainClass, args);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(mainClass + " failed:\n" + out);
        }
        return out;
    }

    /** Reads {@code process}'s output until a line contains {@code text}; the rest is drained in the background. */
    static void awaitLine(Process process, String text) throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.contains(text)) {
                Thread.ofVirtual().start(() -> reader.lines().forEach(l -> {})); // keep its pipe drained
                return;
            }
        }
        throw new IllegalStateException("the process ended before saying '" + text + "'");
    }
}
