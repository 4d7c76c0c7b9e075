package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.api.RequestIds;
import io.askpipe.ingest.batch.input.InputChunks;
import io.askpipe.ingest.batch.input.ParsedLine;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.batch.store.LineOutcome;
import io.askpipe.ingest.batch.store.PostgresBatches;
import io.askpipe.ingest.publish.CancelPublisher;
import io.askpipe.schemas.AskCancel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Ends the lines of a batch that is cancelled or whose window ended before they all had their
 * outcome. Lines not yet queued are settled without an ask, chunk by chunk from the checkpoint;
 * a cancel first publishes an {@link AskCancel} for each line queued and still waiting (the router
 * ends a queued ask at once and interrupts a running one), and once the window's grace is past the
 * lines still waiting are settled without their results.
 */
final class Closing {
    /** Cancels published, then awaited, at a time. */
    private static final int CANCEL_PAGE = 1000;

    private final BatchInputs inputs;
    private final PostgresBatches batches;
    private final BatchLines lines;
    private final CancelPublisher cancels;
    private final int chunkLines;
    private final Duration publishTimeout;
    private final Clock clock;

    Closing(
            BatchInputs inputs,
            PostgresBatches batches,
            BatchLines lines,
            CancelPublisher cancels,
            int chunkLines,
            Duration publishTimeout,
            Clock clock) {
        this.inputs = inputs;
        this.batches = batches;
        this.lines = lines;
        this.cancels = cancels;
        this.chunkLines = chunkLines;
        this.publishTimeout = publishTimeout;
        this.clock = clock;
    }

    /**
     * Cancels the cancelling {@code batch}: a cancel for each queued line still waiting, every line
     * not yet queued settled cancelled, then the cancels noted as sent. Redone whole after a crash:
     * a cancel sent twice changes nothing.
     */
    void cancel(Batch batch, String owner) throws Exception {
        Instant cancelledAt = batch.timeline().cancellingAt().orElseThrow();
        int after = 0;
        while (true) {
            List<BatchLines.Line> waiting = lines.waiting(batch.id(), after, CANCEL_PAGE);
            if (waiting.isEmpty()) {
                break;
            }
            List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
            for (BatchLines.Line line : waiting) {
                acks.add(cancels.publish(
                        new AskCancel(line.requestId(), batch.userId(), null, null, batch.acceptedAt(), cancelledAt)));
            }
            long deadline = System.nanoTime() + publishTimeout.toNanos();
            for (CompletableFuture<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            after = waiting.getLast().line();
        }
        settleUnqueued(batch, owner, LineOutcome.CANCELLED);
        batches.cancelsSent(batch.id(), owner, clock.instant());
    }

    /** Settles every line of {@code batch} not yet queued as {@code outcome}, without asks. */
    void settleUnqueued(Batch batch, String owner, LineOutcome outcome) throws Exception {
        if (batch.checkpoint().done()) {
            return;
        }
        Optional<InputChunks> input = inputs.open(batch, owner);
        if (input.isEmpty()) {
            return;
        }
        try (InputChunks chunks = input.get()) {
            while (true) {
                InputChunks.Chunk chunk = chunks.next(chunkLines);
                List<BatchLines.NewLine> unqueued = new ArrayList<>();
                for (ParsedLine line : chunk.lines()) {
                    unqueued.add(new BatchLines.NewLine(
                            Math.toIntExact(line.number()),
                            LineAsks.customId(line),
                            RequestIds.next(clock).toString()));
                }
                lines.settleUnqueued(
                        batch.id(),
                        owner,
                        unqueued,
                        outcome,
                        clock.instant(),
                        chunk.checkpointLines(),
                        chunk.checkpointBytes());
                if (chunk.lines().isEmpty()
                        || chunk.checkpointBytes() >= batch.checkpoint().inputBytes()) {
                    return;
                }
            }
        }
    }

    /** Settles the lines of {@code batch} still waiting once its window's grace is past. */
    void settleWaiting(Batch batch, LineOutcome outcome) {
        lines.settleWaiting(batch.id(), outcome, clock.instant());
    }
}
