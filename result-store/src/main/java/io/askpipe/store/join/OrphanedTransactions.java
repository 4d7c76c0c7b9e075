package io.askpipe.store.join;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
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
 *
 * <p>When the broker crashed too (the all-in-one dev stack), the coordinator can end up believing
 * the transaction is over while a partition it wrote never received its end marker: a hanging
 * transaction (KIP-664). On the group's {@code __consumer_offsets} partition it keeps the group's
 * offsets unstable for good, and the store never starts. So after fencing, when this instance's
 * producer id still holds a transaction open on the group's offsets partition at an older epoch
 * than the coordinator's, that transaction is aborted on every partition of the application that
 * holds it, with the Admin API, as {@code kafka-transactions.sh abort} would: its offsets were never
 * committed, so the store reads its input again. A transaction open only on data partitions may
 * have committed (its offsets got their marker), and is left to an operator.
 */
public final class OrphanedTransactions {
    static final String PROCESS_FILE = "kafka-streams-process-metadata";
    private static final String OFFSETS_TOPIC = "__consumer_offsets";
    private static final long TIMEOUT_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(OrphanedTransactions.class);

    private OrphanedTransactions() {}

    /** Fences the transactional ids of the last incarnation's {@code threads} stream threads. */
    public static void abort(KafkaSettings kafka, Path stateDir, String applicationId, int threads) {
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
            try (Admin admin = Admin.create(kafka.clientProperties(applicationId + "-fence-admin"))) {
                abortHanging(
                        admin,
                        transactionalId,
                        applicationId,
                        kafka.topics().storeDeadLetter().name());
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("could not look for hanging transactions of {}: {}", transactionalId, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Aborts the transactions of {@code transactionalId}'s producer that a partition of the
     * application still holds open although the coordinator has moved past them: on the group's
     * offsets partition, the application's internal topics and {@code deadLetterTopic}.
     */
    static void abortHanging(Admin admin, String transactionalId, String applicationId, String deadLetterTopic)
            throws ExecutionException, InterruptedException, TimeoutException {
        TransactionDescription now = admin.describeTransactions(List.of(transactionalId))
                .description(transactionalId)
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (now.state() == TransactionState.ONGOING
                || now.state() == TransactionState.PREPARE_ABORT
                || now.state() == TransactionState.PREPARE_COMMIT) {
            return; // the coordinator is finishing it: not hanging
        }
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> touched = names.stream()
                .filter(name -> name.startsWith(applicationId + "-")
                        || name.equals(deadLetterTopic)
                        || name.equals(OFFSETS_TOPIC))
                .toList();
        List<TopicPartition> partitions = new ArrayList<>();
        Map<String, TopicDescription> described =
                admin.describeTopics(touched).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        described.forEach((name, topic) -> {
            if (name.equals(OFFSETS_TOPIC)) {
                // the partition that holds the group's offsets, as the group coordinator places it
                partitions.add(new TopicPartition(
                        name,
                        Utils.abs(applicationId.hashCode()) % topic.partitions().size()));
            } else {
                topic.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition())));
            }
        });
        var producers = admin.describeProducers(partitions).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, ProducerState> hanging = new LinkedHashMap<>();
        producers.forEach((partition, state) -> state.activeProducers().stream()
                .filter(producer -> producer.producerId() == now.producerId()
                        && producer.producerEpoch() < now.producerEpoch()
                        && producer.currentTransactionStartOffset().isPresent())
                .findFirst()
                .ifPresent(producer -> hanging.put(partition, producer)));
        if (hanging.isEmpty()) {
            return;
        }
        boolean offsetsHang = hanging.keySet().stream().anyMatch(p -> p.topic().equals(OFFSETS_TOPIC));
        if (!offsetsHang) {
            // the group's offsets got their marker, so the transaction may have committed: an abort
            // here could throw away records whose input offsets are already committed
            LOG.error(
                    "transactions of {} hang on {} but not on the group's offsets; not aborting them, as"
                            + " they may have committed. The store may not start: inspect them with"
                            + " kafka-transactions.sh describe-producers and decide",
                    transactionalId,
                    hanging.keySet());
            return;
        }
        // the offsets were never committed either: aborting everywhere keeps the transaction whole,
        // and the store reprocesses its input from the committed offsets
        for (var entry : hanging.entrySet()) {
            ProducerState producer = entry.getValue();
            admin.abortTransaction(new AbortTransactionSpec(
                            entry.getKey(),
                            producer.producerId(),
                            (short) producer.producerEpoch(),
                            producer.coordinatorEpoch().orElse(0)))
                    .all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.warn(
                    "aborted a hanging transaction of {} on {} (producer epoch {}, open since offset {})",
                    transactionalId,
                    entry.getKey(),
                    producer.producerEpoch(),
                    producer.currentTransactionStartOffset().getAsLong());
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
