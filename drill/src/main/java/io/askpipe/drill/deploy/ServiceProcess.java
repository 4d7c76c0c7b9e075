package io.askpipe.drill.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service as its own JVM, supervised as a process manager would: when it exits without being
 * told to (a {@code kill -9}, a crash injected by chaos mode), it is started again at once with the
 * same settings. Its JVM has a heap cap and exits on an {@link OutOfMemoryError} (then it is
 * restarted like any crash) rather than run on half-alive. Its output is appended to one log file
 * across restarts.
 */
public final class ServiceProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    private static final int LOG_TAIL_LINES = 40;

    private final String name;
    private final String mainClass;
    private final Map<String, String> env;
    private final HeapSize heap;
    private final Path log;
    private final URI base;
    private final URI ops;

    private Process process;
    private boolean supervised;
    private int starts;
    private int kills;
    private int crashes;

    ServiceProcess(
            String name,
            String mainClass,
            Map<String, String> env,
            HeapSize heap,
            int httpPort,
            int opsPort,
            Path log) {
        this.name = name;
        this.mainClass = mainClass;
        this.env = Map.copyOf(env);
        this.heap = heap;
        this.log = log;
        this.base = URI.create("http://127.0.0.1:" + httpPort);
        this.ops = URI.create("http://127.0.0.1:" + opsPort);
    }

    public String name() {
        return name;
    }

    /** Where the service answers HTTP. */
    public URI base() {
        return base;
    }

    /** Where the service's {@code /metrics} and {@code /readyz} are. */
    public URI ops() {
        return ops;
    }

    /** The process id of the service's JVM while it runs; empty while it is stopped or restarting. */
    public synchronized OptionalLong pid() {
        Process running = process;
        return running == null || !running.isAlive() ? OptionalLong.empty() : OptionalLong.of(running.pid());
    }

    public Path log() {
        return log;
    }

    /** Starts the process and keeps it running until {@link #stop()}. */
    public synchronized void start() {
        supervised = true;
        launch();
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                heap.jvmOption(),
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // Kafka still uses sun.misc.Unsafe
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            Process started = builder.start();
            process = started;
            starts++;
            started.onExit().thenAccept(this::exited);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    private synchronized void exited(Process which) {
        if (which != process || !supervised) {
            return;
        }
        crashes++;
        LOG.info("{} exited with status {}; restarting it", name, which.exitValue());
        launch();
    }

    /** {@code kill -9}; the supervisor then starts the service again. */
    void kill() {
        Process victim;
        synchronized (this) {
            victim = process;
            kills++;
            // the exit is the kill's, not a crash: restart here rather than count it in exited()
            process = null;
        }
        victim.destroyForcibly();
        try {
            victim.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (supervised) {
                launch();
            }
        }
    }

    /** Asks the service to stop in order (SIGTERM) and waits; it is not restarted. */
    public void stop() {
        Process stopping;
        synchronized (this) {
            supervised = false;
            stopping = process;
        }
        if (stopping == null) {
            return;
        }
        stopping.destroy();
        try {
            if (!stopping.waitFor(60, TimeUnit.SECONDS)) {
                stopping.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code /readyz} on the operations port answers 200, or fails after {@code timeout}. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> ready = HTTP.send(
                        HttpRequest.newBuilder(ops.resolve("/readyz"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                name + " was not ready within " + timeout + "; the end of " + log + ":\n" + tail(LOG_TAIL_LINES));
    }

    /** The last {@code lines} lines of the log, for a failure that outlives the deployment's directory. */
    String tail(int lines) {
        try (var all = Files.lines(log)) {
            ArrayDeque<String> last = new ArrayDeque<>(lines);
            all.forEach(line -> {
                if (last.size() == lines) {
                    last.removeFirst();
                }
                last.addLast(line);
            });
            return String.join("\n", last);
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Times started, including restarts. */
    public synchronized int starts() {
        return starts;
    }

    public synchronized int kills() {
        return kills;
    }

    /** Exits nobody asked for: crashes injected by chaos mode, or real ones. */
    public synchronized int crashes() {
        return crashes;
    }
}
