package io.askpipe.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster in KRaft mode on this machine: every node is its own JVM running
 * Kafka's own entry point ({@code kafka.Kafka}) as a combined broker and controller, and all nodes
 * vote in one controller quorum. Internal topics are replicated to every node (up to three) with
 * {@code min.insync.replicas} one less, so the cluster keeps accepting {@code acks=all} writes
 * while one node is down, and {@link #kill(int)} ends a node as {@code kill -9} would.
 *
 * <p>Each node's configuration, data and output ({@code node-N/server.properties}, {@code
 * node-N/data}, {@code node-N/broker.log}) live under the directory given to {@link #start}.
 * Thread-safe.
 */
public final class KafkaCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final String clusterId = Uuid.randomUuid().toString();
    private final Map<Integer, NodeAddress> addresses = new LinkedHashMap<>();
    private final Map<Integer, Process> processes = new LinkedHashMap<>();

    private record NodeAddress(int brokerPort, int controllerPort) {}

    private KafkaCluster(Path dir, int nodes) {
        this.dir = dir;
        for (int id = 1; id <= nodes; id++) {
            addresses.put(id, new NodeAddress(FreePorts.next(), FreePorts.next()));
        }
        // a JVM that exits without closing the cluster (a test that failed in its set-up) takes
        // its nodes with it instead of leaving them running
        Runtime.getRuntime()
                .addShutdownHook(
                        Thread.ofPlatform().name("kafka-cluster-reaper").unstarted(this::destroyAll));
    }

    private synchronized void destroyAll() {
        processes.values().forEach(Process::destroyForcibly);
    }

    /**
     * Formats and starts {@code nodes} nodes under {@code dir}; returns when every one of them is
     * registered with the cluster and clients can reach it.
     */
    public static KafkaCluster start(int nodes, Path dir) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node");
        }
        KafkaCluster cluster = new KafkaCluster(dir, nodes);
        long started = System.nanoTime();
        try {
            for (int id : cluster.addresses.keySet()) {
                cluster.format(id);
                cluster.launch(id);
            }
            cluster.awaitNodes(cluster.addresses.keySet());
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info(
                "Kafka cluster of {} nodes ready on {} in {} ms",
                nodes,
                cluster.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return cluster;
    }

    /** The {@code bootstrap.servers} value clients use: every node's address. */
    public String bootstrapServers() {
        return addresses.values().stream()
                .map(a -> "127.0.0.1:" + a.brokerPort())
                .collect(Collectors.joining(","));
    }

    /** The ids of the cluster's nodes, from 1. */
    public Set<Integer> nodeIds() {
        return addresses.keySet();
    }

    /** Whether node {@code id}'s process is running. */
    public synchronized boolean isRunning(int id) {
        Process process = processes.get(id);
        return process != null && process.isAlive();
    }

    /**
     * Ends node {@code id} with SIGKILL, as {@code kill -9} does: no controlled shutdown, no flush,
     * no leadership handed over. Returns when the process is gone.
     */
    public void kill(int id) {
        long pid = end(id);
        LOG.warn("Kafka node {} killed (pid {})", id, pid);
    }

    private synchronized long end(int id) {
        Process process = processes.remove(id);
        if (process == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        process.destroyForcibly(); // SIGKILL on Linux and macOS
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while node " + id + " was being killed", e);
        }
        return process.pid();
    }

    /** Starts node {@code id} again on its existing data; returns when the cluster sees it. */
    public void restart(int id) {
        synchronized (this) {
            if (isRunning(id)) {
                throw new IllegalStateException("node " + id + " is running");
            }
            launch(id);
        }
        awaitNodes(Set.of(id));
    }

    private void format(int id) {
        Path data = dataDir(id);
        try {
            Files.createDirectories(data);
            KraftNode.format(id, clusterId, data);
            Files.writeString(nodeDir(id).resolve("server.properties"), serverProperties(id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("formatting Kafka node " + id + " in " + data + " failed", e);
        }
    }

    private String serverProperties(int id) {
        NodeAddress address = addresses.get(id);
        int replicas = Math.min(3, addresses.size());
        String minInsync = String.valueOf(Math.max(1, replicas - 1));
        String voters = addresses.entrySet().stream()
                .map(e -> e.getKey() + "@127.0.0.1:" + e.getValue().controllerPort())
                .collect(Collectors.joining(","));
        Map<String, String> props =
                KraftNode.settings(id, voters, address.brokerPort(), address.controllerPort(), dataDir(id));
        // what a production cluster sets: every topic, internal ones included, survives one node
        props.put("default.replication.factor", String.valueOf(replicas));
        props.put("min.insync.replicas", minInsync);
        props.put("offsets.topic.replication.factor", String.valueOf(replicas));
        props.put("transaction.state.log.replication.factor", String.valueOf(replicas));
        props.put("transaction.state.log.min.isr", minInsync);
        props.put("share.coordinator.state.topic.replication.factor", String.valueOf(replicas));
        props.put("share.coordinator.state.topic.min.isr", minInsync);
        props.put("unclean.leader.election.enable", "false");
        // fewer partitions of the internal topics than a production cluster's 50: they are created
        // on first use, and on two cores fifty replicated partitions take seconds
        props.put("offsets.topic.num.partitions", "6");
        props.put("transaction.state.log.num.partitions", "6");
        // a dead node leaves the in-sync replicas when the controller fences it, after the session
        // timeout; until then acks=all writes wait. The default 9 s outlasts ingest's 5 s publish
        // timeout (clients get 503s), 3 s does not (docs/deployment.md, "Losing a broker")
        props.put("broker.session.timeout.ms", "3000");
        props.put("broker.heartbeat.interval.ms", "500");
        return props.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("\n"))
                + "\n";
    }

    private synchronized void launch(int id) {
        List<String> command = ChildJvm.command(
                List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                "kafka.Kafka",
                nodeDir(id).resolve("server.properties").toString());
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            nodeDir(id).resolve("broker.log").toFile()))
                    .start();
            processes.put(id, process);
            LOG.info("Kafka node {} started (pid {}), output in {}", id, process.pid(), nodeDir(id));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Kafka node " + id, e);
        }
    }

    private void awaitNodes(Set<Integer> ids) {
        Map<String, Object> adminProps = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(adminProps)) {
            while (true) {
                for (int id : ids) {
                    if (!isRunning(id)) {
                        throw new IllegalStateException("Kafka node " + id + " exited; see "
                                + nodeDir(id).resolve("broker.log"));
                    }
                }
                try {
                    Set<Integer> seen = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                            .map(Node::id)
                            .collect(Collectors.toSet());
                    if (seen.containsAll(ids)) {
                        return;
                    }
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for Kafka", e);
                    }
                    // not reachable yet: try again until the deadline
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Kafka nodes " + ids + " did not join the cluster within " + READY_TIMEOUT);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private Path nodeDir(int id) {
        return dir.resolve("node-" + id);
    }

    private Path dataDir(int id) {
        return nodeDir(id).resolve("data");
    }

    /**
     * Kills every node that still runs. The directory stays: it is the caller's, and after a failure
     * its {@code broker.log} files tell what the nodes did.
     */
    @Override
    public void close() {
        List<Integer> running;
        synchronized (this) {
            running = new ArrayList<>(processes.keySet());
        }
        // no controlled shutdown: nodes stopping together wait on a quorum that is leaving too
        running.forEach(this::end);
        LOG.info("Kafka cluster stopped");
    }
}
