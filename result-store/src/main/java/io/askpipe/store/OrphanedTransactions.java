package io.askpipe.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.KafkaSettings;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts the Kafka transactions a crashed incarnation of this result store left open. Under
 * exactly-once, a stream thread's transactional id is {@code <application.id>-<process
 * id>-<thread>}, and the process id survives in the state directory. An open transaction holds
 * uncommitted offsets of the group, and while it is open the restarted application's rebalance
 * waits on them ({@code UNSTABLE_OFFSET_COMMIT}) before its own producer could fence the old one;
 * the broker was seen not to time the transaction out for minutes. Initialising a producer with the
 * same transactional id first aborts the transaction at once. Only this instance's own ids are
 * touched, never another live instance's.
 */
final class OrphanedTransactions {
    static final String PROCESS_FILE = "kafka-streams-process-metadata";
    private static final Logger LOG = LoggerFactory.getLogger(OrphanedTransactions.class);

    private OrphanedTransactions() {}

    /** Fences the transactional ids of the last incarnation's {@code threads} stream threads. */
    static void abort(KafkaSettings kafka, Path stateDir, String applicationId, int threads) {
        Optional<String> processId = processId(stateDir.resolve(applicationId).resolve(PROCESS_FILE));
        if (processId.isEmpty()) {
            return;
        }
        for (int thread = 1; thread <= threads; thread++) {
            String transactionalId = applicationId + "-" + processId.get() + "-" + thread;
            Map<String, Object> props = kafka.clientProperties(applicationId + "-fence");
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
            long started = System.nanoTime();
            try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
            }
            LOG.info(
                    "aborted any transaction left open by {} in {} ms",
                    transactionalId,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    static Optional<String> processId(Path processFile) {
        try {
            if (!Files.isRegularFile(processFile)) {
                return Optional.empty();
            }
            JsonNode id = Json.mapper().readTree(processFile.toFile()).path("processId");
            return id.isTextual() ? Optional.of(id.asText()) : Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", processFile, e.toString());
            return Optional.empty();
        }
    }
}
