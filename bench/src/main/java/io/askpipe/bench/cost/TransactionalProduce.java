package io.askpipe.bench.cost;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The same records as step 3, from a transactional producer (the same settings with a {@code
 * transactional.id}) that commits a transaction every commit interval with the offsets of its input
 * in it, as the result store's exactly-once Streams application did until ADR 0031: beside step 3,
 * the cost of the transactions, their offset commits and their markers, the step that decision took
 * away. {@code inFlight} records are
 * unacknowledged at most, as in step 3. How many records a transaction holds depends on the rate:
 * here, as many as the interval takes at full speed.
 */
final class TransactionalProduce implements Step {
    private final Producer<String, AskRequest> producer;
    private final String topic;
    /** The partition whose offsets each transaction commits, as Streams commits its input's. */
    private final TopicPartition input;

    private final ConsumerGroupMetadata group;
    private final Asks asks;
    private final int inFlight;
    private final Duration commitInterval;
    private int transactions;
    private int records;

    /**
     * @param producer a transactional producer whose transactions are initialized
     * @param topic where the records go
     * @param inputTopic the topic whose offsets, of its first partition, each transaction commits for
     *     {@code groupId}
     */
    TransactionalProduce(
            Producer<String, AskRequest> producer,
            String topic,
            String inputTopic,
            String groupId,
            Asks asks,
            int inFlight,
            Duration commitInterval) {
        this.producer = producer;
        this.topic = topic;
        this.input = new TopicPartition(inputTopic, 0);
        this.group = new ConsumerGroupMetadata(groupId);
        this.asks = asks;
        this.inFlight = inFlight;
        this.commitInterval = commitInterval;
    }

    @Override
    public Description description() {
        return new Description(
                "5. (gone, ADR 0031) result store: transactional produce, a commit with the input's offsets every "
                        + commitInterval.toMillis() + " ms",
                "the exactly-once join before ADR 0031; the forward-only rows make at-least-once enough",
                "one record, from the send to its transaction's commit, when a read-committed reader may see it ("
                        + inFlight + " in flight)");
    }

    @Override
    public void run(int first, int count, Timings timings) throws Exception {
        transactions = 0;
        records = count;
        Semaphore slots = new Semaphore(inFlight);
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Long> sentInTransaction = new ArrayList<>();
        producer.beginTransaction();
        long began = System.nanoTime();
        for (int i = first; i < first + count && failure.get() == null; i++) {
            slots.acquire();
            AskRequest ask = asks.request(i);
            ProducerRecord<String, AskRequest> record = new ProducerRecord<>(topic, ask.requestId(), ask);
            record.headers().add(Headers.REQUEST_ID, ask.requestId().getBytes(StandardCharsets.UTF_8));
            sentInTransaction.add(System.nanoTime());
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
                slots.release();
            });
            if (System.nanoTime() - began >= commitInterval.toNanos()) {
                commit(i + 1, sentInTransaction, timings);
                producer.beginTransaction();
                began = System.nanoTime();
            }
        }
        commit(first + count, sentInTransaction, timings);
        if (failure.get() != null) {
            throw new IllegalStateException("a transactional send failed", failure.get());
        }
    }

    /**
     * Commits the open transaction with the input's offset {@code offset} in it (its records flushed
     * first), and times each of its records to now.
     */
    private void commit(long offset, List<Long> sentInTransaction, Timings timings) {
        producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(offset)), group);
        producer.commitTransaction();
        long committed = System.nanoTime();
        transactions++;
        sentInTransaction.forEach(sent -> timings.add(committed - sent));
        sentInTransaction.clear();
    }

    @Override
    public String note() {
        return String.format(
                "%d transactions, %.0f records each", transactions, records / (double) Math.max(1, transactions));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
