package io.askpipe.ingest.results;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a consumer group that takes over the work of former groups starts: on each partition it
 * has no offset of its own for, at the least of the former groups' committed offsets, so that
 * nothing one of them had still to handle is passed over and the topic is not read again from its
 * start. A partition that a former group has no offset for starts where the group's reset says (the
 * topic's start); a former group that does not exist has handled nothing and is not counted.
 */
final class Succession implements ConsumerRebalanceListener {
    private static final Logger LOG = LoggerFactory.getLogger(Succession.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Consumer<?, ?> consumer;
    private final Map<TopicPartition, Long> start;

    Succession(Consumer<?, ?> consumer, Map<TopicPartition, Long> start) {
        this.consumer = consumer;
        this.start = Map.copyOf(start);
    }

    /** Where the former groups {@code formerGroups}, as far as they exist, had all got to on {@code topic}. */
    static Map<TopicPartition, Long> reachedByAll(Admin admin, String topic, List<String> formerGroups)
            throws InterruptedException, ExecutionException, TimeoutException {
        Collection<String> existing =
                admin.listConsumerGroups().all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
                        .map(ConsumerGroupListing::groupId)
                        .filter(formerGroups::contains)
                        .toList();
        Map<TopicPartition, Long> least = null;
        for (String group : existing) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .forEach((partition, offset) -> {
                        if (offset != null && partition.topic().equals(topic)) {
                            committed.put(partition, offset.offset());
                        }
                    });
            least = least == null ? committed : leastOfBoth(least, committed);
        }
        return least == null ? Map.of() : least;
    }

    /** The partitions both have an offset for, at the smaller of the two. */
    static Map<TopicPartition, Long> leastOfBoth(Map<TopicPartition, Long> a, Map<TopicPartition, Long> b) {
        Map<TopicPartition, Long> both = new HashMap<>();
        a.forEach((partition, offset) -> {
            Long other = b.get(partition);
            if (other != null) {
                both.put(partition, Math.min(offset, other));
            }
        });
        return both;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (start.isEmpty() || partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> own = consumer.committed(new HashSet<>(partitions));
        for (TopicPartition partition : partitions) {
            Long offset = start.get(partition);
            if (own.get(partition) == null && offset != null) {
                LOG.info("{}: starting at offset {}, where the groups it took over from had got to", partition, offset);
                consumer.seek(partition, offset);
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
}
