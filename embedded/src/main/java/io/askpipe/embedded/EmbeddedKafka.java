package io.askpipe.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (combined broker and controller), running
 * in this JVM and bound to 127.0.0.1.
 *
 * <p>The log directory is formatted once: when it already holds {@code meta.properties} (a
 * restarted development stack) the broker starts on the existing data. Thread-safe: start and
 * close may be called from any thread, once each.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;

    private final Path logDir;
    private final boolean deleteOnClose;
    private final int brokerPort;
    private final int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDir, boolean deleteOnClose, int brokerPort) {
        this.logDir = logDir;
        this.deleteOnClose = deleteOnClose;
        this.brokerPort = brokerPort == 0 ? FreePorts.next() : brokerPort;
        this.controllerPort = FreePorts.next();
    }

    /** A broker on a fresh temporary directory that is deleted on {@link #close()}. */
    public static EmbeddedKafka temporary() {
        try {
            return new EmbeddedKafka(Files.createTempDirectory("askpipe-kafka-"), true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A broker whose data lives in {@code logDir} and survives restarts; {@code port} 0 picks a free
     * port.
     */
    public static EmbeddedKafka persistent(Path logDir, int port) {
        return new EmbeddedKafka(logDir, false, port);
    }

    /** Formats the storage if needed and starts the broker; returns when it accepts clients. */
    public synchronized EmbeddedKafka start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        long started = System.nanoTime();
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaConfig config = new KafkaConfig(brokerProperties(), false);
        formatOnce();
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        awaitReady();
        LOG.info(
                "Kafka broker ready on {} in {} ms (log dir {})",
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                logDir);
        return this;
    }

    /** The {@code bootstrap.servers} value clients use. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The directory that holds the broker's log and metadata. */
    public Path logDir() {
        return logDir;
    }

    private Map<String, Object> brokerProperties() {
        Map<String, Object> props = new HashMap<>(KraftNode.settings(
                NODE_ID, NODE_ID + "@127.0.0.1:" + controllerPort, brokerPort, controllerPort, logDir));
        // one node: every internal topic has one replica, and group joins need not wait for others
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "3");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        return props;
    }

    private void formatOnce() {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            KraftNode.format(NODE_ID, Uuid.randomUuid().toString(), logDir);
        } catch (Exception e) {
            throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed", e);
        }
    }

    private void awaitReady() {
        Map<String, Object> adminProps = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                60_000);
        try (Admin admin = Admin.create(adminProps)) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
            // asking for a group's coordinator makes the broker create __consumer_offsets, and the
            // call returns once it leads the topic: done here once, not raced by every consumer of
            // the stack at once (each race lost logs a TOPIC_ALREADY_EXISTS warning)
            admin.listConsumerGroupOffsets("askpipe-embedded-ready").all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka broker did not become ready", e);
        }
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
        if (deleteOnClose) {
            Directories.deleteRecursively(logDir);
        }
        LOG.info("Kafka broker stopped");
    }
}
