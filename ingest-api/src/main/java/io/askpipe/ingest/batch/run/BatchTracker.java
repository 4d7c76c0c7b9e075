package io.askpipe.ingest.batch.run;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.ingest.batch.store.Settlements;
import io.askpipe.ingest.results.ResultGroup;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import java.time.Clock;
import java.util.Set;

/**
 * The ingest instances' consumer group on {@code ask.results} ({@code askpipe-ingest-batches}) that
 * settles batch lines by their asks' results, each poll in one transaction before its offsets are
 * committed ({@link Settlements}, {@link ResultGroup}): a result read twice settles its line once,
 * and a result no instance settled yet is read again. A batch whose last line it settled wakes this
 * instance's runner.
 */
public final class BatchTracker implements AutoCloseable {
    static final String ROLE = "batches";

    private final ResultGroup group;

    private BatchTracker(ResultGroup group) {
        this.group = group;
    }

    /** Starts settling the lines of {@code settlements} by {@code topic}'s results; {@code settled} hears of finished batches. */
    public static BatchTracker start(
            KafkaSettings kafka,
            Topic<String, AskResult> topic,
            Settlements settlements,
            Clock clock,
            Runnable settled) {
        return new BatchTracker(ResultGroup.start(kafka, topic, ROLE, "settle batch lines", results -> {
            Set<String> done = settlements.settle(results, clock.instant());
            if (!done.isEmpty()) {
                settled.run();
            }
        }));
    }

    @Override
    public void close() {
        group.close();
    }
}
