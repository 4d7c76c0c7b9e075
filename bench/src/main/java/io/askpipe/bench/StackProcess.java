package io.askpipe.bench;

import io.askpipe.devstack.DevStackMain;
import io.askpipe.embedded.ChildJvm;
import io.askpipe.embedded.Directories;
import io.askpipe.embedded.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The all-in-one development stack ({@code ./askpipe dev}: broker, services and the embedded
 * PostgreSQL it starts) as a child process on fresh data, so that the load generator's own work is
 * not counted in the stack's CPU or memory. Its output goes to {@code stack.log} in its data
 * directory, which is deleted on close.
 */
final class StackProcess implements AutoCloseable {
    private final Path dataDir;
    private final Process process;
    final String baseUrl;
    final String bootstrapServers;
    final String adminJdbcUrl;
    final String jdbcUrl;
    final String apiKey;

    private StackProcess(Path dataDir, Process process, int httpPort, int kafkaPort, int postgresPort, String key) {
        this.dataDir = dataDir;
        this.process = process;
        this.baseUrl = "http://127.0.0.1:" + httpPort;
        this.bootstrapServers = "127.0.0.1:" + kafkaPort;
        this.adminJdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
        this.jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/askpipe";
        this.apiKey = key;
    }

    /**
     * Starts the stack with {@code env} added to this process's environment (a variable set here
     * wins over the defaults given); returns once it has printed its development key.
     */
    static StackProcess start(Map<String, String> env, String heap, List<String> jvmOptions)
            throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("askpipe-load-");
        int httpPort = FreePorts.next();
        int kafkaPort = FreePorts.next();
        int postgresPort = FreePorts.next();
        Path keyFile = dataDir.resolve("dev-key");
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        jvm.addAll(jvmOptions);
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(jvm, DevStackMain.class.getName()))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("stack.log").toFile());
        Map<String, String> vars = builder.environment();
        env.forEach(vars::putIfAbsent);
        vars.putAll(Map.of(
                "ASKPIPE_DATA_DIR", dataDir.toString(),
                "ASKPIPE_DEV_KEY_FILE", keyFile.toString(),
                "HTTP_PORT", String.valueOf(httpPort),
                "ASKPIPE_KAFKA_PORT", String.valueOf(kafkaPort),
                "ASKPIPE_POSTGRES_PORT", String.valueOf(postgresPort)));
        Process process = builder.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!Files.exists(keyFile) || Files.size(keyFile) == 0) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the stack did not start; see " + dataDir.resolve("stack.log"));
            }
            Thread.sleep(200);
        }
        return new StackProcess(
                dataDir,
                process,
                httpPort,
                kafkaPort,
                postgresPort,
                Files.readString(keyFile).strip());
    }

    /** The resident memory of the stack's JVM, in bytes. */
    long jvmRss() {
        return rss(process.pid());
    }

    /** The resident memory of the stack's JVM and every process it started (PostgreSQL), in bytes. */
    long totalRss() {
        String data = dataDir.toString();
        // PostgreSQL's processes leave the stack's process tree (pg_ctl daemonizes them); they are
        // known by the data directory on their command line
        return Stream.concat(
                        Stream.of(process.toHandle()),
                        ProcessHandle.allProcesses()
                                .filter(p -> p.pid() != process.pid())
                                .filter(p -> p.info().commandLine().orElse("").contains(data)))
                .mapToLong(p -> rss(p.pid()))
                .sum();
    }

    /** VmRSS from {@code /proc}; 0 where there is no such file (not Linux, or the process is gone). */
    static long rss(long pid) {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"));
            for (String line : status) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone, or not Linux
        }
        return 0;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the stack stops in order, its database too
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        Directories.deleteRecursively(dataDir);
    }
}
