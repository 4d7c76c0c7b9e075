package io.askpipe.ingest.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SuccessionTest {
    private static final TopicPartition P0 = new TopicPartition("ask.results", 0);
    private static final TopicPartition P1 = new TopicPartition("ask.results", 1);
    private static final TopicPartition P2 = new TopicPartition("ask.results", 2);

    @Test
    void aPartitionStartsAtTheLeastOffsetAndOnlyWhereEveryFormerGroupHasOne() {
        assertThat(Succession.leastOfBoth(Map.of(P0, 6L, P1, 3L, P2, 9L), Map.of(P0, 4L, P1, 8L)))
                .as("P2: one group never committed there, so it starts at the topic's start")
                .isEqualTo(Map.of(P0, 4L, P1, 3L));
    }
}
