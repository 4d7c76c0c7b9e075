package io.askpipe.router.consume;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Out-of-order completion tracking. Records of a partition are dispatched in offset order but
 * finish in any order; the offset that may be committed for a partition is the lowest one still in
 * flight (or one past the highest dispatched when none is). So a commit never skips an ask whose
 * result has not been acknowledged, however many later asks have finished.
 *
 * <p>Thread-safe: the consumer thread starts and reads, virtual threads complete.
 */
final class OffsetTracker {
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private int inFlight;

    private static final class PartitionState {
        final TreeSet<Long> inFlight = new TreeSet<>();
        long nextToCommit = -1;
        long lastCommitted = -1;
    }

    /**
     * One dispatched record. It belongs to the partition's assignment it was dispatched under, so
     * work abandoned at a revocation cannot complete an offset of a later assignment.
     */
    static final class Ticket {
        private final PartitionState state;
        private final long offset;

        private Ticket(PartitionState state, long offset) {
            this.state = state;
            this.offset = offset;
        }
    }

    /** Records that {@code offset} of {@code partition} was dispatched. */
    synchronized Ticket started(TopicPartition partition, long offset) {
        PartitionState state = partitions.computeIfAbsent(partition, p -> new PartitionState());
        state.inFlight.add(offset);
        state.nextToCommit = Math.max(state.nextToCommit, offset + 1);
        inFlight++;
        return new Ticket(state, offset);
    }

    /**
     * Records that a dispatched record finished. A record of a partition no longer tracked (revoked,
     * its work abandoned) only releases its in-flight slot.
     */
    synchronized void completed(Ticket ticket) {
        inFlight--;
        ticket.state.inFlight.remove(ticket.offset);
        notifyAll();
    }

    /**
     * Releases the in-flight slot of a record whose work was handed back unfinished (shutdown): its
     * offset stays uncommitted so that the partition's next owner processes it.
     */
    synchronized void abandoned(Ticket ticket) {
        inFlight--;
        notifyAll();
    }

    /** Asks dispatched and not yet completed, across all partitions. */
    synchronized int inFlight() {
        return inFlight;
    }

    /** Asks still in flight on {@code partition}. */
    synchronized int inFlight(TopicPartition partition) {
        PartitionState state = partitions.get(partition);
        return state == null ? 0 : state.inFlight.size();
    }

    /**
     * The offsets to commit now: for every partition whose committable offset moved since the last
     * call, the lowest offset in flight (or one past the highest dispatched).
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        partitions.forEach((partition, state) -> {
            long offset = state.inFlight.isEmpty() ? state.nextToCommit : state.inFlight.first();
            if (offset > state.lastCommitted) {
                offsets.put(partition, new OffsetAndMetadata(offset));
            }
        });
        return offsets;
    }

    /** Records that {@code offsets} were committed, so they are not offered again. */
    synchronized void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            PartitionState state = partitions.get(partition);
            if (state != null) {
                state.lastCommitted = Math.max(state.lastCommitted, offset.offset());
            }
        });
    }

    /**
     * Waits until none of {@code partitions} has work in flight, or {@code timeoutMs} passed.
     *
     * @return true if they all drained
     */
    synchronized boolean awaitDrained(Set<TopicPartition> partitions, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (partitions.stream().anyMatch(p -> inFlight(p) > 0)) {
            long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMs <= 0) {
                return false;
            }
            wait(remainingMs);
        }
        return true;
    }

    /** Waits until fewer than {@code bound} asks are in flight, or {@code timeout} passed. */
    synchronized void awaitBelow(int bound, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight >= bound) {
            long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMs <= 0) {
                return;
            }
            wait(remainingMs);
        }
    }

    /** Stops tracking {@code partitions}: their remaining work is abandoned to the next owner. */
    synchronized void forget(Set<TopicPartition> partitions) {
        partitions.forEach(this.partitions::remove);
    }
}
