package io.askpipe.ingest.quota;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.ingest.results.ResultGroup;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topic;
import java.time.Clock;
import org.jooq.DSLContext;

/**
 * The ingest instances' consumer group on {@code ask.results} that tallies each poll's results in
 * one statement ({@link FinishedAsks}: their asks finished, their tokens added to their users'
 * months) before it commits ({@link ResultGroup}), so a result is tallied at least once whichever
 * instance reads it and whether or not one was down, and the statement makes twice count once.
 */
public final class ResultTally implements AutoCloseable {
    private static final String ROLE = "quotas";

    private final ResultGroup group;

    private ResultTally(ResultGroup group) {
        this.group = group;
    }

    /** The group every ingest instance of the deployment joins (its topic prefix, then the name). */
    static String groupId(KafkaSettings kafka) {
        return ResultGroup.groupId(kafka, ROLE);
    }

    /** Starts tallying {@code topic} into {@code db} (schema {@code ingest}) in the deployment's group. */
    public static ResultTally start(KafkaSettings kafka, Topic<String, AskResult> topic, DSLContext db, Clock clock) {
        FinishedAsks finished = new FinishedAsks(db);
        return new ResultTally(ResultGroup.start(
                kafka,
                topic,
                ROLE,
                "tally results into the quotas",
                results -> finished.tally(
                        results.stream()
                                .map(result -> FinishedAsks.Finished.at(
                                        result.reqId(), result.usage().totalTokens(), result.completedAt()))
                                .toList(),
                        clock.instant())));
    }

    @Override
    public void close() {
        group.close();
    }
}
