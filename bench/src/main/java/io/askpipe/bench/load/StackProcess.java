package io.askpipe.bench.load;

import io.askpipe.devstack.DevStackMain;
import io.askpipe.embedded.ChildJvm;
import io.askpipe.embedded.Directories;
import io.askpipe.embedded.FreePorts;
import io.askpipe.embedded.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The all-in-one development stack ({@code ./askpipe dev}: broker, services and the embedded
 * PostgreSQL it starts) as a child process on fresh data, so that the load generator's own work is
 * not counted in the stack's CPU or memory. Its output goes to {@code stack.log} in its data
 * directory, which is deleted on close.
 */
final class StackProcess implements AutoCloseable {
    private final Path dataDir;
    private final Process process;
    /** Found once: the memory sampler reads it twice a second. */
    private final DatabaseProcesses database;

    final String baseUrl;
    /** Where {@code /metrics} is. */
    final String opsUrl;

    final String bootstrapServers;
    final String adminJdbcUrl;
    final String jdbcUrl;
    final String apiKey;

    private StackProcess(
            Path dataDir, Process process, int httpPort, int opsPort, int kafkaPort, int postgresPort, String key) {
        this.dataDir = dataDir;
        this.process = process;
        this.database = DatabaseProcesses.byCommandLine(dataDir, process.pid());
        this.baseUrl = "http://127.0.0.1:" + httpPort;
        this.opsUrl = "http://127.0.0.1:" + opsPort;
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
        int opsPort = FreePorts.next();
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
                "OPS_PORT", String.valueOf(opsPort),
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
                opsPort,
                kafkaPort,
                postgresPort,
                Files.readString(keyFile).strip());
    }

    /** The memory of the stack's JVM, in bytes (proportional set size: its share of what is resident). */
    long jvmMemory() {
        return ProcessMemory.pss(process.pid());
    }

    /**
     * The memory of the stack's JVM and of its PostgreSQL, in bytes: proportional set sizes, so that
     * the database's shared buffers, resident in every one of its processes, count once.
     */
    long totalMemory() {
        return jvmMemory() + database.memory();
    }

    /** The CPU time the stack's JVM has used so far: its broker and services. */
    Duration jvmCpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The CPU time the processes of its PostgreSQL that are alive now have used so far. */
    Duration databaseCpu() {
        return database.cpu();
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
