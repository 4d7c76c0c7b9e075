package io.askpipe.ingest.batch.run;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.batch.store.PostgresBatches;
import io.askpipe.ingest.batch.store.Settlements;
import io.askpipe.ingest.files.FileStore;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.ingest.publish.CancelPublisher;
import io.askpipe.schemas.BatchEvent;
import io.askpipe.schemas.Topic;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;

/**
 * What a {@link BatchRunner} works with: the batches' rows, the input and output files, the
 * publishers of asks, cancels and events, the validation of lines, and how it paces its work.
 *
 * @param events the producer of {@code ask.batch.events}, {@code eventTopic}
 * @param limits and {@code callbacks}: how a line's body is validated, as a submit's is
 * @param pollInterval how often the runner looks for work when it has none
 * @param expansionChunk lines queued per chunk
 * @param lease how long a lease lasts without renewal
 * @param expiryGrace how long past a window its lines may still answer
 * @param maxLines requests an input file may hold
 * @param publishTimeout the longest a chunk's publishes are awaited
 */
public record RunnerParts(
        PostgresBatches batches,
        BatchLines lines,
        Settlements settlements,
        FileStore files,
        AskPublisher asks,
        CancelPublisher cancels,
        Producer<String, BatchEvent> events,
        Topic<String, BatchEvent> eventTopic,
        IngestLimits limits,
        CallbackPolicy callbacks,
        Duration pollInterval,
        int expansionChunk,
        Duration lease,
        Duration expiryGrace,
        long maxLines,
        Duration publishTimeout,
        Clock clock) {}
