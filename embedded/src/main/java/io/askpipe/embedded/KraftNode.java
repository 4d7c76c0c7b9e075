package io.askpipe.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * What every Kafka node askpipe starts has in common, alone ({@link EmbeddedKafka}) or in a
 * cluster ({@link KafkaCluster}): a combined broker and controller on 127.0.0.1, plaintext, its
 * storage formatted by Kafka's own {@link Formatter}.
 */
final class KraftNode {
    /**
     * The largest record a node takes, and fetches for its followers: above the largest record any
     * {@code ASK_MAX_BYTES} makes (33 MiB, {@code AskSizes.LARGEST}; a test checks it), so that a
     * test or the dev stack may set any, and topics created without askpipe's own limit (which
     * askpipe gives its topics itself) take them too.
     */
    static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    private KraftNode() {}

    /**
     * The settings of node {@code nodeId} listening for clients on {@code brokerPort} and for the
     * quorum on {@code controllerPort}, in the quorum {@code voters} ({@code id@host:port,...}).
     * Topics are created explicitly (3 partitions unless said), records of up to {@link
     * #MAX_RECORD_BYTES} are taken and replicated, and a group's first members start at once;
     * replication settings are the caller's.
     */
    static Map<String, String> settings(int nodeId, String voters, int brokerPort, int controllerPort, Path logDir) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "3");
        props.put("auto.create.topics.enable", "false");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("message.max.bytes", String.valueOf(MAX_RECORD_BYTES));
        props.put("replica.fetch.max.bytes", String.valueOf(MAX_RECORD_BYTES));
        return props;
    }

    /** Formats {@code logDir} as node {@code nodeId}'s storage in cluster {@code clusterId}. */
    static void format(int nodeId, String clusterId, Path logDir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();
    }
}
