package io.askpipe.router.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
    private final TopicPartition p0 = new TopicPartition("t", 0);
    private final TopicPartition p1 = new TopicPartition("t", 1);
    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void commitsUpToTheLowestOffsetStillInFlight() {
        var t10 = tracker.started(p0, 10);
        var t11 = tracker.started(p0, 11);
        var t12 = tracker.started(p0, 12);
        tracker.completed(t12);
        tracker.completed(t11);

        assertThat(tracker.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(10)));
        tracker.completed(t10);
        assertThat(tracker.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(13)));
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void offersAnOffsetOnlyUntilItIsCommitted() {
        tracker.completed(tracker.started(p0, 5));
        var offsets = tracker.committable();
        tracker.committed(offsets);
        assertThat(tracker.committable()).isEmpty();
        tracker.completed(tracker.started(p0, 6));
        assertThat(tracker.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(7)));
    }

    @Test
    void partitionsAreIndependent() {
        tracker.started(p0, 1);
        tracker.completed(tracker.started(p1, 100));
        assertThat(tracker.committable())
                .isEqualTo(Map.of(p0, new OffsetAndMetadata(1), p1, new OffsetAndMetadata(101)));
        assertThat(tracker.inFlight(p0)).isEqualTo(1);
        assertThat(tracker.inFlight()).isEqualTo(1);
    }

    @Test
    void abandonedWorkOfARevokedPartitionCannotCompleteTheNextAssignment() {
        var old = tracker.started(p0, 7);
        tracker.forget(Set.of(p0));
        var again = tracker.started(p0, 7); // redelivered to us after a new assignment
        tracker.completed(old);

        assertThat(tracker.inFlight(p0)).isEqualTo(1);
        assertThat(tracker.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(7)));
        tracker.completed(again);
        assertThat(tracker.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(8)));
    }

    @Test
    void abandonedWorkReleasesItsSlotButStaysUncommitted() {
        var ticket = tracker.started(p0, 3);
        tracker.abandoned(ticket);
        assertThat(tracker.inFlight()).isZero();
        assertThat(tracker.committable()).isEqualTo(Map.of(p0, new OffsetAndMetadata(3)));
    }

    @Test
    void awaitDrainedReturnsWhenTheLastCompletes() throws Exception {
        var ticket = tracker.started(p0, 1);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            tracker.completed(ticket);
        });
        assertThat(tracker.awaitDrained(Set.of(p0), 10_000)).isTrue();
        assertThat(tracker.awaitDrained(Set.of(p0), 0)).isTrue();
        tracker.started(p0, 2);
        assertThat(tracker.awaitDrained(Set.of(p0), 20)).isFalse();
    }
}
