package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.api.RequestIds;
import io.askpipe.ingest.batch.input.InputChunks;
import io.askpipe.ingest.batch.input.ParsedLine;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.batch.store.BatchStatus;
import io.askpipe.ingest.batch.store.PostgresBatches;
import io.askpipe.ingest.batch.store.Settlements;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.schemas.AskResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Queues a batch's lines as asks, a chunk at a time from its checkpoint: the chunk's rows are
 * inserted with fresh request ids (a row that exists keeps its id), each line's ask is published
 * with its row's id, every acknowledgement is awaited, and only then the checkpoint moves past the
 * chunk. A crash before the checkpoint redoes the chunk with the same ids, which the router takes
 * as the asks it already has: a line is never a second ask, and never skipped. Between chunks the
 * batch is read again: a cancel, the end of its window or of the runner's time slice stops it.
 */
final class Expansion {
    private final BatchInputs inputs;
    private final PostgresBatches batches;
    private final BatchLines lines;
    private final Settlements settlements;
    private final AskPublisher publisher;
    private final int chunkLines;
    private final Duration publishTimeout;
    private final Clock clock;

    Expansion(
            BatchInputs inputs,
            PostgresBatches batches,
            BatchLines lines,
            Settlements settlements,
            AskPublisher publisher,
            int chunkLines,
            Duration publishTimeout,
            Clock clock) {
        this.inputs = inputs;
        this.batches = batches;
        this.lines = lines;
        this.settlements = settlements;
        this.publisher = publisher;
        this.chunkLines = chunkLines;
        this.publishTimeout = publishTimeout;
        this.clock = clock;
    }

    /** Queues chunks of {@code batch}, leased by {@code owner}, until it is all queued, stopped, or {@code until} passed. */
    void run(Batch batch, String owner, Instant until) throws Exception {
        Optional<InputChunks> input = inputs.open(batch, owner);
        if (input.isEmpty()) {
            return;
        }
        try (InputChunks chunks = input.get()) {
            Batch current = batch;
            while (true) {
                InputChunks.Chunk chunk = chunks.next(chunkLines);
                queue(current, owner, chunk);
                if (chunk.lines().isEmpty()
                        || chunk.checkpointBytes() >= batch.checkpoint().inputBytes()) {
                    return;
                }
                current = batches.find(batch.id()).orElseThrow();
                Instant now = clock.instant();
                if (current.status() != BatchStatus.IN_PROGRESS
                        || !now.isBefore(current.timeline().expiresAt())
                        || now.isAfter(until)) {
                    return;
                }
            }
        }
    }

    /** Stores, publishes and checkpoints one chunk. */
    private void queue(Batch batch, String owner, InputChunks.Chunk chunk) throws Exception {
        List<BatchLines.NewLine> fresh = new ArrayList<>();
        for (ParsedLine line : chunk.lines()) {
            fresh.add(new BatchLines.NewLine(
                    Math.toIntExact(line.number()),
                    LineAsks.customId(line),
                    RequestIds.next(clock).toString()));
        }
        Map<Integer, BatchLines.Line> stored = new LinkedHashMap<>();
        lines.store(batch.id(), fresh).forEach(row -> stored.put(row.line(), row));
        Map<String, CompletableFuture<RecordMetadata>> acks = new LinkedHashMap<>();
        List<AskResult> refused = new ArrayList<>();
        Instant now = clock.instant();
        for (ParsedLine line : chunk.lines()) {
            BatchLines.Line row = stored.get(Math.toIntExact(line.number()));
            if (row.outcome().isPresent()) {
                continue; // a chunk redone after its line already had its result
            }
            switch (line) {
                case ParsedLine.Request request ->
                    acks.put(row.requestId(), publisher.publish(LineAsks.ask(batch, request, row.requestId())));
                case ParsedLine.Bad bad ->
                    refused.add(LineAsks.refused(
                            row.requestId(),
                            "The line no longer validates: " + bad.error().message(),
                            now));
                case ParsedLine.Blank blank -> throw new IllegalStateException("chunks hold no blank line");
            }
        }
        long deadline = System.nanoTime() + publishTimeout.toNanos();
        for (var ack : acks.entrySet()) {
            try {
                ack.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Optional<String> permanent = AskPublisher.permanentFailure(e);
                if (permanent.isEmpty()) {
                    throw e;
                }
                refused.add(LineAsks.refused(
                        ack.getKey(), "The request could not be queued (" + permanent.get() + ")", now));
            }
        }
        if (!refused.isEmpty()) {
            settlements.settle(refused, now);
        }
        if (!lines.advance(batch.id(), owner, chunk.checkpointLines(), chunk.checkpointBytes())) {
            throw new LeaseLost(batch.id());
        }
    }
}
