package io.askpipe.bench.load;

import io.askpipe.embedded.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The load generator's other JVMs: the hello-world server, the durable-work baseline and Kafka's
 * tools, each a {@code main} in a child process that stands where the services stand ({@link
 * Placement#services}).
 */
final class ChildProcesses {
    private ChildProcesses() {}

    /**
     * Starts {@code mainClass} in a JVM of its own (512 MB heap) where {@code placement} puts the
     * services, its pinning checked; its output and errors on one stream.
     */
    static Process start(Placement placement, String mainClass, String... args) throws IOException {
        Process process = new ProcessBuilder(placement.services(ChildJvm.command(List.of("-Xmx512m"), mainClass, args)))
                .redirectErrorStream(true)
                .start();
        try {
            placement.check(mainClass.substring(mainClass.lastIndexOf('.') + 1), process.pid(), Placement.SERVICES_CPU);
        } catch (IllegalStateException e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }

    /** Runs {@code mainClass} to its end as {@link #start} does; returns its output, or fails with it if the run failed. */
    static String run(Placement placement, String mainClass, String... args) throws IOException, InterruptedException {
        Process process = start(placement, mainClass, args);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(mainClass + " failed:\n" + out);
        }
        return out;
    }

    /**
     * Waits until {@code process} has written {@code file} (a file that exists and is not empty),
     * for up to three minutes; if it ends or takes longer, stops it and fails, naming {@code what}
     * and where its {@code log} is.
     */
    static void awaitFile(Process process, Path file, String what, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!Files.exists(file) || Files.size(file) == 0) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(what + " did not start; see " + log);
            }
            Thread.sleep(200);
        }
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
