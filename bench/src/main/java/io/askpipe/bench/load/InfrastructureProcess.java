package io.askpipe.bench.load;

import io.askpipe.embedded.ChildJvm;
import io.askpipe.embedded.ProcessMemory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The broker and PostgreSQL of a split-core run: {@link BrokerAndDatabase} in a child JVM pinned
 * to the infrastructure's CPU, its output in {@code infrastructure.log} of the data directory; the
 * broker's JVM and the database's processes are known apart, for their CPU time and memory.
 */
final class InfrastructureProcess implements AutoCloseable {
    /** The broker's heap: Kafka's own start script gives a broker 1 GB; a single node with these topics needs less. */
    private static final String HEAP = "-Xmx512m";

    private final Process process;
    private final DatabaseProcesses database;

    private InfrastructureProcess(Process process, DatabaseProcesses database) {
        this.process = process;
        this.database = database;
    }

    /**
     * Starts the broker on {@code kafkaPort} and PostgreSQL on {@code postgresPort} with their data
     * under {@code dataDir}, where {@code placement} puts the infrastructure; returns once both
     * accept clients, their pinning checked.
     */
    static InfrastructureProcess start(Path dataDir, int kafkaPort, int postgresPort, Placement placement)
            throws IOException, InterruptedException {
        Path ready = dataDir.resolve("infrastructure.ready");
        Path log = dataDir.resolve("infrastructure.log");
        Process process = new ProcessBuilder(placement.infrastructure(ChildJvm.command(
                        List.of(HEAP),
                        BrokerAndDatabase.class.getName(),
                        dataDir.toString(),
                        String.valueOf(kafkaPort),
                        String.valueOf(postgresPort),
                        ready.toString())))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ChildProcesses.awaitFile(process, ready, "the broker and database", log);
        InfrastructureProcess started =
                new InfrastructureProcess(process, DatabaseProcesses.byPidFile(dataDir.resolve("postgres")));
        placement.check("broker JVM", process.pid(), Placement.INFRASTRUCTURE_CPU);
        started.database
                .postmaster()
                .ifPresent(postmaster ->
                        placement.check("PostgreSQL's postmaster", postmaster.pid(), Placement.INFRASTRUCTURE_CPU));
        return started;
    }

    /** The CPU time the broker's JVM has used so far. */
    Duration brokerCpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The broker JVM's proportional set size, in bytes. */
    long brokerMemory() {
        return ProcessMemory.pss(process.pid());
    }

    /** PostgreSQL's processes. */
    DatabaseProcesses database() {
        return database;
    }

    /** Closes the process's standard input, on which it stops the database and the broker in order. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroy(); // SIGTERM: the same stop
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
