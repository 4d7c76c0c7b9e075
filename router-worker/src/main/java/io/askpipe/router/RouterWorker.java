package io.askpipe.router;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Headers;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume-call-publish loop. Each poll's asks are handled concurrently on virtual threads; their
 * results are published and acknowledged before the poll's offsets are committed, so an ask is
 * never committed without its result (at least once). A record that cannot be read goes to {@code
 * ask.requests.dlq} with the reason and its origin in headers, and the loop goes on.
 *
 * <p>Runs on one platform thread; {@link #stop()} may be called from any thread.
 */
final class RouterWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterWorker.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final Consumer<String, byte[]> consumer;
    private final Producer<String, AskResult> producer;
    private final Producer<byte[], byte[]> deadLetters;
    private final Topics topics;
    private final AskHandler handler;
    private final ExecutorService asks = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running = true;

    RouterWorker(
            Consumer<String, byte[]> consumer,
            Producer<String, AskResult> producer,
            Producer<byte[], byte[]> deadLetters,
            Topics topics,
            AskHandler handler) {
        this.consumer = consumer;
        this.producer = producer;
        this.deadLetters = deadLetters;
        this.topics = topics;
        this.handler = handler;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topics.requests().name()));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (!records.isEmpty()) {
                    process(records);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            asks.shutdownNow();
            consumer.close();
            LOG.info("router worker stopped");
        }
    }

    private void process(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        Topic<String, AskRequest> requests = topics.requests();
        List<Future<AskResult>> handled = new ArrayList<>(records.count());
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.value() == null) {
                continue; // a tombstone: the ask was deleted from the compacted topic
            }
            AskRequest request;
            try {
                request = requests.valueSerde().deserializer().deserialize(record.topic(), record.value());
            } catch (SerializationException e) {
                sends.add(deadLetter(record, e));
                continue;
            }
            handled.add(asks.submit(() -> handler.handle(request)));
        }
        for (Future<AskResult> future : handled) {
            AskResult result = result(future);
            ProducerRecord<String, AskResult> out =
                    new ProducerRecord<>(topics.results().name(), result.reqId(), result);
            out.headers().add(Headers.REQUEST_ID, result.reqId().getBytes(StandardCharsets.UTF_8));
            sends.add(producer.send(out));
        }
        try {
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        } catch (ExecutionException e) {
            // Kafka did not take a result: commit nothing and handle the whole poll again
            LOG.error(
                    "publishing results failed, re-reading the batch: {}",
                    e.getCause().toString());
            rewind(records);
            return;
        }
        consumer.commitSync(nextOffsets(records));
    }

    private static AskResult result(Future<AskResult> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            // AskHandler returns every expected failure as a result; this is a bug
            throw new IllegalStateException("ask handling failed unexpectedly", e.getCause());
        }
    }

    private Future<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> record, SerializationException error) {
        LOG.warn(
                "unreadable ask at {}-{}@{} sent to {}: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                topics.requestsDeadLetter().name(),
                error.getMessage());
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> out =
                new ProducerRecord<>(topics.requestsDeadLetter().name(), null, key, record.value(), record.headers());
        out.headers().add(Headers.DLQ_ERROR, String.valueOf(error.getMessage()).getBytes(StandardCharsets.UTF_8));
        out.headers()
                .add(
                        Headers.DLQ_SOURCE,
                        (record.topic() + "-" + record.partition() + "@" + record.offset())
                                .getBytes(StandardCharsets.UTF_8));
        return deadLetters.send(out);
    }

    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).getFirst().offset());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            offsets.put(
                    partition,
                    new OffsetAndMetadata(records.records(partition).getLast().offset() + 1));
        }
        return offsets;
    }

    /** Asks the loop to finish its current poll and stop. */
    void stop() {
        running = false;
        consumer.wakeup();
    }
}
