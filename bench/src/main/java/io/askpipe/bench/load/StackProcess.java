package io.askpipe.bench.load;

import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.devstack.DevStackMain;
import io.askpipe.embedded.ChildJvm;
import io.askpipe.embedded.Directories;
import io.askpipe.embedded.FreePorts;
import io.askpipe.embedded.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The all-in-one development stack ({@code ./askpipe dev}) as a child process on fresh data, so
 * that the load generator's own work is not counted in the stack's CPU or memory. Shared, it
 * starts its own broker and embedded PostgreSQL, as {@code ./askpipe dev} does; split, the broker
 * and PostgreSQL run in a process of their own ({@link InfrastructureProcess}) on the
 * infrastructure's CPU, and the stack, on the services' CPU, uses them as an operator's broker and
 * database ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code DATABASE_URL}: the superuser, as the stack's
 * own embedded database gives it). Its output goes to {@code stack.log} in its data directory,
 * which is deleted on close.
 */
final class StackProcess implements AutoCloseable {
    /** The user of every connection of the run to the database: its superuser. */
    static final String DATABASE_USER = "postgres";

    static final String DATABASE_PASSWORD = "postgres";

    private final Path dataDir;
    private final Process process;
    private final Optional<InfrastructureProcess> infrastructure;
    /** Found once: the memory sampler reads it twice a second. */
    private final DatabaseProcesses database;

    private final Placement placement;
    final String baseUrl;
    /** Where {@code /metrics} is. */
    final String opsUrl;

    final String bootstrapServers;
    final String adminJdbcUrl;
    final String jdbcUrl;
    final String apiKey;

    private StackProcess(
            Path dataDir,
            Process process,
            Optional<InfrastructureProcess> infrastructure,
            Placement placement,
            Ports ports,
            String key) {
        this.dataDir = dataDir;
        this.process = process;
        this.infrastructure = infrastructure;
        this.database = infrastructure
                .map(InfrastructureProcess::database)
                .orElseGet(() -> DatabaseProcesses.byCommandLine(dataDir, process.pid()));
        this.placement = placement;
        this.baseUrl = "http://127.0.0.1:" + ports.http();
        this.opsUrl = "http://127.0.0.1:" + ports.ops();
        this.bootstrapServers = "127.0.0.1:" + ports.kafka();
        this.adminJdbcUrl = ports.jdbcUrl("postgres");
        this.jdbcUrl = ports.jdbcUrl(BrokerAndDatabase.DATABASE);
        this.apiKey = key;
    }

    /** The stack's ports, each a free one. */
    private record Ports(int http, int ops, int kafka, int postgres) {
        static Ports free() {
            return new Ports(FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next());
        }

        String jdbcUrl(String database) {
            return "jdbc:postgresql://127.0.0.1:" + postgres + "/" + database;
        }
    }

    /**
     * Starts the stack with {@code env} added to this process's environment (a variable set here
     * wins over the defaults given), its processes where {@code placement} puts them; returns once
     * it has printed its development key.
     */
    static StackProcess start(Map<String, String> env, String heap, List<String> jvmOptions, Placement placement)
            throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("askpipe-load-");
        Ports ports = Ports.free();
        if (!placement.split()) {
            return start(dataDir, ports, env, Map.of(), heap, jvmOptions, placement, Optional.empty());
        }
        InfrastructureProcess infrastructure =
                InfrastructureProcess.start(dataDir, ports.kafka(), ports.postgres(), placement);
        try {
            Map<String, String> operators = Map.of(
                    KafkaSettings.BOOTSTRAP_SERVERS.name(),
                    "127.0.0.1:" + ports.kafka(),
                    DatabaseSettings.URL.name(),
                    ports.jdbcUrl(BrokerAndDatabase.DATABASE),
                    DatabaseSettings.USER.name(),
                    DATABASE_USER,
                    DatabaseSettings.PASSWORD.name(),
                    DATABASE_PASSWORD);
            return start(dataDir, ports, env, operators, heap, jvmOptions, placement, Optional.of(infrastructure));
        } catch (IOException | InterruptedException | RuntimeException e) {
            infrastructure.close();
            throw e;
        }
    }

    /**
     * Starts the stack's JVM with {@code env} under this process's environment and {@code
     * infrastructure}'s addresses, {@code operators}, over both.
     */
    private static StackProcess start(
            Path dataDir,
            Ports ports,
            Map<String, String> env,
            Map<String, String> operators,
            String heap,
            List<String> jvmOptions,
            Placement placement,
            Optional<InfrastructureProcess> infrastructure)
            throws IOException, InterruptedException {
        Path keyFile = dataDir.resolve("dev-key");
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        jvm.addAll(jvmOptions);
        ProcessBuilder builder = new ProcessBuilder(
                        placement.services(ChildJvm.command(jvm, DevStackMain.class.getName())))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("stack.log").toFile());
        Map<String, String> vars = builder.environment();
        env.forEach(vars::putIfAbsent);
        vars.putAll(operators);
        vars.putAll(Map.of(
                "ASKPIPE_DATA_DIR", dataDir.toString(),
                "ASKPIPE_DEV_KEY_FILE", keyFile.toString(),
                "HTTP_PORT", String.valueOf(ports.http()),
                "OPS_PORT", String.valueOf(ports.ops()),
                "ASKPIPE_KAFKA_PORT", String.valueOf(ports.kafka()),
                "ASKPIPE_POSTGRES_PORT", String.valueOf(ports.postgres())));
        Process process = builder.start();
        ChildProcesses.awaitFile(process, keyFile, "the stack", dataDir.resolve("stack.log"));
        try {
            placement.check("services JVM", process.pid(), Placement.SERVICES_CPU);
        } catch (IllegalStateException e) {
            process.destroy();
            process.waitFor();
            throw e;
        }
        return new StackProcess(
                dataDir,
                process,
                infrastructure,
                placement,
                ports,
                Files.readString(keyFile).strip());
    }

    /** Where this run's processes run; the baselines' own processes go where it says. */
    Placement placement() {
        return placement;
    }

    /** Creates database {@code name} on the stack's PostgreSQL; returns its JDBC URL. */
    String createDatabase(String name) throws SQLException {
        try (Connection db = DriverManager.getConnection(adminJdbcUrl, DATABASE_USER, DATABASE_PASSWORD);
                Statement create = db.createStatement()) {
            create.execute("CREATE DATABASE " + name);
        }
        return adminJdbcUrl.substring(0, adminJdbcUrl.lastIndexOf('/') + 1) + name;
    }

    /** The memory of the stack's JVM, in bytes (proportional set size: its share of what is resident). */
    long jvmMemory() {
        return ProcessMemory.pss(process.pid());
    }

    /** The memory of the broker's JVM when it runs apart (split), in bytes. */
    OptionalLong brokerMemory() {
        return infrastructure.map(i -> OptionalLong.of(i.brokerMemory())).orElse(OptionalLong.empty());
    }

    /**
     * The memory of the stack's JVM, of the broker's when it runs apart, and of its PostgreSQL, in
     * bytes: proportional set sizes, so that the database's shared buffers, resident in every one
     * of its processes, count once.
     */
    long totalMemory() {
        return jvmMemory() + brokerMemory().orElse(0) + database.memory();
    }

    /** The CPU time the stack's JVM has used so far: its services, and its broker unless that runs apart. */
    Duration jvmCpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The CPU time the broker's JVM has used so far, when it runs apart (split). */
    Optional<Duration> brokerCpu() {
        return infrastructure.map(InfrastructureProcess::brokerCpu);
    }

    /** The CPU time the processes of its PostgreSQL that are alive now have used so far. */
    Duration databaseCpu() {
        return database.cpu();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.destroy(); // SIGTERM: the stack stops in order, its database too
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
        } finally {
            if (infrastructure.isPresent()) {
                infrastructure.get().close();
            }
            Directories.deleteRecursively(dataDir);
        }
    }
}
