package io.askpipe.store.join;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.JoinedAsk;
import io.askpipe.schemas.Topics;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The result store's topology. Asks arrive, from the topics of both priorities, keyed by request id (older records: by idempotency
 * scope) and are re-keyed by the request id of their value into a table; results are a table
 * keyed by request id. Their left join emits the ask as queued when it arrives and again, joined,
 * when its result arrives, in whichever order the two come: a result that arrives first waits in
 * its table. Progress (a worker started on the ask) is a third table joined the same way, so the
 * ask is written as running while it has progress and no result. Each emission goes to {@code
 * ask.joined}, in the transaction that consumed its inputs, for the writer ({@link
 * io.askpipe.store.sink.AskWriter}) to upsert into PostgreSQL in batches. Tombstones of the
 * retention purge ({@link io.askpipe.store.sink.AskPurge}) delete an ask from all three tables,
 * and from {@code ask.joined}.
 */
public final class AskTopology {
    static final String REQUESTS_BY_ID = "requests-by-id";
    static final String RESULTS_BY_ID = "results-by-id";
    static final String PROGRESS_BY_ID = "progress-by-id";

    private AskTopology() {}

    /**
     * Builds the topology; {@code streamsConfig} is the application's configuration, whose
     * optimization settings shape the topology (the results and progress tables reuse their source
     * topics as changelogs).
     */
    public static Topology build(Topics topics, Properties streamsConfig) {
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(streamsConfig)));
        // both priorities' topics (docs/adr/0028): the same key and value, one stream
        KTable<String, AskRequest> requests = builder.stream(
                        topics.allRequestNames(),
                        Consumed.with(
                                        topics.requests().keySerde(),
                                        topics.requests().valueSerde())
                                .withName("read-requests"))
                // a tombstone (the retention purge's, keyed by request id) deletes the ask from the
                // table, and the join passes the deletion on to ask.joined
                .selectKey((key, request) -> request == null ? key : request.requestId(), Named.as("key-by-request-id"))
                .toTable(
                        Named.as("requests-table"),
                        Materialized.<String, AskRequest, KeyValueStore<Bytes, byte[]>>as(REQUESTS_BY_ID)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(topics.requests().valueSerde()));
        KTable<String, AskProgress> progress = builder.table(
                topics.progress().name(),
                Consumed.with(topics.progress().keySerde(), topics.progress().valueSerde())
                        .withName("read-progress"),
                Materialized.<String, AskProgress, KeyValueStore<Bytes, byte[]>>as(PROGRESS_BY_ID)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(topics.progress().valueSerde()));
        KTable<String, AskResult> results = builder.table(
                topics.results().name(),
                Consumed.with(topics.results().keySerde(), topics.results().valueSerde())
                        .withName("read-results"),
                Materialized.<String, AskResult, KeyValueStore<Bytes, byte[]>>as(RESULTS_BY_ID)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(topics.results().valueSerde()));
        // progress usually overtakes its ask (the ask comes through a repartition topic), so it
        // waits in its table like an early result does, and joins when the ask arrives
        requests.leftJoin(progress, Started::new, Named.as("join-progress"))
                .leftJoin(
                        results,
                        (started, result) -> new JoinedAsk(started.request(), started.progress(), result),
                        Named.as("join-result"))
                .toStream(Named.as("joined"))
                .to(
                        topics.joined().name(),
                        Produced.with(
                                        topics.joined().keySerde(),
                                        topics.joined().valueSerde())
                                .withName("write-joined"));
        return builder.build(streamsConfig);
    }

    private record Started(AskRequest request, AskProgress progress) {}
}
