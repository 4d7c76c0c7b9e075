package io.askpipe.ingest.results;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.PollLoop;
import io.askpipe.common.retry.Backoff;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer group of the ingest instances on {@code ask.results} that hands each poll's results
 * (one per ask, the last read) to a handler, retries the handler until it has done them, and only
 * then commits: whichever instance reads a result, and whether or not one was down, the handler
 * sees it at least once, so a handler that makes twice count once counts it once. A new group
 * reads the topic from its start. An unreadable record is skipped. One platform thread of its own
 * ({@link PollLoop}).
 */
public final class ResultGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultGroup.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_POLL_RECORDS = 2_000;

    /** What a group does with one poll's results; a failure is taken as transient and retried. */
    @FunctionalInterface
    public interface Handler {
        void handle(Collection<AskResult> results) throws Exception;
    }

    private final PollLoop<String, AskResult> loop;

    private ResultGroup(PollLoop<String, AskResult> loop) {
        this.loop = loop;
    }

    /** The group every ingest instance of the deployment joins for {@code role}: its topic prefix, then the name. */
    public static String groupId(KafkaSettings kafka, String role) {
        return kafka.topicPrefix() + "askpipe-ingest-" + role;
    }

    /**
     * Starts the group of {@code role} (such as {@code finished}: group {@code
     * askpipe-ingest-finished}) on {@code topic}, handing each poll's results to {@code handler};
     * {@code what} says in logs what the handler does with them. A group that took over the work of
     * the groups of {@code formerRoles} starts, the first time, where they had all got to ({@link
     * Succession}) rather than at the topic's start.
     */
    public static ResultGroup start(
            KafkaSettings kafka,
            Topic<String, AskResult> topic,
            String role,
            List<String> formerRoles,
            String what,
            Handler handler) {
        Map<TopicPartition, Long> start =
                formerRoles.isEmpty() ? Map.of() : reachedByAll(kafka, topic, role, formerRoles);
        Map<String, Object> props = kafka.consumerProperties("askpipe-ingest-" + role);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(kafka, role));
        props.putAll(kafka.staticMembership("ingest-" + role));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group reads what the topic holds: asks accepted before it existed finish too
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        Consumer<String, AskResult> consumer = new KafkaConsumer<>(
                props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        try {
            consumer.subscribe(List.of(topic.name()), new Succession(consumer, start));
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        return new ResultGroup(PollLoop.start("ingest-result-" + role, consumer, POLL, what, (records, running) -> {
            if (records.isEmpty()) {
                return;
            }
            Map<String, AskResult> batch = new LinkedHashMap<>();
            for (ConsumerRecord<String, AskResult> record : records) {
                AskResult result = record.value();
                if (result != null) {
                    batch.put(result.reqId(), result);
                }
            }
            Backoff.INFRASTRUCTURE.untilDone(
                    what + " (" + batch.size() + " results)",
                    () -> {
                        handler.handle(batch.values());
                        return null;
                    },
                    running,
                    LOG);
            consumer.commitSync();
        }));
    }

    /** Where the groups of {@code formerRoles} had all got to on {@code topic}, read by an Admin client of {@code role}'s. */
    private static Map<TopicPartition, Long> reachedByAll(
            KafkaSettings kafka, Topic<String, AskResult> topic, String role, List<String> formerRoles) {
        try (Admin admin = Admin.create(kafka.clientProperties("askpipe-ingest-" + role + "-admin"))) {
            return Succession.reachedByAll(
                    admin,
                    topic.name(),
                    formerRoles.stream().map(former -> groupId(kafka, former)).toList());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the offsets of the groups " + formerRoles, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + formerRoles, e);
        }
    }

    /** Stops reading: the results not yet committed are handled by the group's other instances, or again. */
    @Override
    public void close() {
        loop.close();
    }
}
