package io.askpipe.store.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.JoinedAsk;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AskTopologyTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private final Topics topics = Topics.ofDefaults();
    private TopologyTestDriver driver;
    private TestInputTopic<String, AskRequest> requests;
    private TestInputTopic<String, AskResult> results;
    private TestOutputTopic<String, JoinedAsk> joined;

    @BeforeEach
    @SuppressWarnings("deprecation") // the same opt-in as StoreService.streamsProperties
    void setUp() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        driver = new TopologyTestDriver(AskTopology.build(topics, props), props);
        requests = driver.createInputTopic(
                topics.requests().name(),
                topics.requests().keySerde().serializer(),
                topics.requests().valueSerde().serializer());
        results = driver.createInputTopic(
                topics.results().name(),
                topics.results().keySerde().serializer(),
                topics.results().valueSerde().serializer());
        joined = driver.createOutputTopic(
                topics.joined().name(),
                topics.joined().keySerde().deserializer(),
                topics.joined().valueSerde().deserializer());
    }

    /** What the topology wrote to ask.joined since last asked, as {@code id=state}. */
    private List<String> written() {
        List<String> written = new ArrayList<>();
        for (var record : joined.readKeyValuesToList()) {
            JoinedAsk ask = record.value;
            if (ask == null) {
                written.add(record.key + "=deleted");
                continue;
            }
            assertThat(record.key)
                    .as("keyed by request id")
                    .isEqualTo(ask.request().requestId());
            written.add(record.key + "="
                    + (ask.result() != null
                            ? ask.result().status().wireName() + ":"
                                    + ask.result().answer()
                            : ask.progress() != null
                                    ? "running:" + ask.progress().backend()
                                    : "queued"));
        }
        return written;
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static AskRequest ask(String id) {
        return new AskRequest(id, "alice", "key-" + id, "prompt " + id, null, null, T0);
    }

    private static AskResult answer(String id, String text) {
        return AskResult.succeeded(id, "dryrun", "dryrun-echo", text, Usage.of(1, 1), 3, 1, T0.plusSeconds(1));
    }

    @Test
    void askIsQueuedThenJoinedWithItsResult() {
        requests.pipeInput(ask("r1").scope(), ask("r1"));
        results.pipeInput("r1", answer("r1", "hello"));

        assertThat(written()).containsExactly("r1=queued", "r1=succeeded:hello");
    }

    @Test
    void aBatchAskIsJoinedFromItsOwnTopicAndKeepsItsPriority() {
        var batch = driver.createInputTopic(
                topics.batchRequests().name(),
                topics.batchRequests().keySerde().serializer(),
                topics.batchRequests().valueSerde().serializer());
        AskRequest ask = ask("b1").withPriority(Priority.BATCH);
        batch.pipeInput("b1", ask);
        results.pipeInput("b1", answer("b1", "later"));

        var emitted = joined.readValuesToList();
        assertThat(emitted).hasSize(2);
        assertThat(emitted.getLast().request().priority()).isEqualTo(Priority.BATCH);
        assertThat(emitted.getLast().result().answer()).isEqualTo("later");
        batch.pipeInput("b1", null); // the purge's tombstone on the batch topic
        assertThat(written()).containsExactly("b1=deleted");
    }

    @Test
    void progressMakesAnAskRunningWhicheverArrivesFirst() {
        var progress = driver.createInputTopic(
                topics.progress().name(),
                topics.progress().keySerde().serializer(),
                topics.progress().valueSerde().serializer());
        requests.pipeInput(ask("r5").scope(), ask("r5"));
        progress.pipeInput("r5", new AskProgress("r5", "openai", T0));
        results.pipeInput("r5", answer("r5", "done"));
        assertThat(written()).containsExactly("r5=queued", "r5=running:openai", "r5=succeeded:done");

        progress.pipeInput("r6", new AskProgress("r6", "llama", T0)); // overtakes its ask
        assertThat(written()).isEmpty();
        requests.pipeInput(ask("r6").scope(), ask("r6"));
        assertThat(written()).containsExactly("r6=running:llama");
    }

    @Test
    void resultThatArrivesFirstWaitsForItsAsk() {
        results.pipeInput("r2", answer("r2", "early"));
        assertThat(written()).isEmpty();

        requests.pipeInput(ask("r2").scope(), ask("r2"));
        assertThat(written()).containsExactly("r2=succeeded:early");
    }

    @Test
    void asksAreKeyedByRequestIdNotScope() {
        requests.pipeInput(ask("a").scope(), ask("a"));
        requests.pipeInput(ask("b").scope(), ask("b"));
        results.pipeInput("b", answer("b", "for b"));

        assertThat(written()).containsExactly("a=queued", "b=queued", "b=succeeded:for b");
    }

    @Test
    void unreadableRecordsAreSkippedNotFatal() {
        var raw = driver.createInputTopic(topics.results().name(), new StringSerializer(), new ByteArraySerializer());
        raw.pipeInput("bad", "{not json".getBytes());
        requests.pipeInput(ask("r3").scope(), ask("r3"));

        assertThat(written()).containsExactly("r3=queued");
    }

    @Test
    void aRequestOfTheOlderFormatIsJoinedAndRewrittenAsAChatAsk() {
        var raw = driver.createInputTopic(topics.requests().name(), new StringSerializer(), new ByteArraySerializer());
        raw.pipeInput("alice:k-r8", """
                {"request_id": "r8", "user_id": "alice", "idempotency_key": "k-r8", "prompt": "old prompt",
                 "model": "gpt-4o", "accepted_at": "2026-11-26T12:00:00Z"}""".getBytes(StandardCharsets.UTF_8));
        results.pipeInput("r8", AskResult.succeeded("r8", "dryrun", "m", "an answer", Usage.of(1, 2), 3, 1, T0));

        List<JoinedAsk> joinedAsks = joined.readValuesToList();
        assertThat(joinedAsks).hasSize(2);
        assertThat(joinedAsks.get(1).request())
                .isEqualTo(new AskRequest("r8", "alice", "k-r8", "old prompt", "gpt-4o", null, T0));
        assertThat(joinedAsks.get(1).result().answer()).isEqualTo("an answer");
    }

    @Test
    void aResultWithAnErrorTypeOfANewerVersionIsJoinedNotSkipped() {
        var raw = driver.createInputTopic(topics.results().name(), new StringSerializer(), new ByteArraySerializer());
        requests.pipeInput(ask("r7").scope(), ask("r7"));
        raw.pipeInput("r7", """
                {"backend": "openai", "model": "gpt-4o", "usage": {"prompt_tokens": 0, "completion_tokens": 0,
                 "total_tokens": 0}, "latency_ms": 12, "req_id": "r7", "status": "failed",
                 "error": {"type": "quota_exhausted", "message": "out of credit", "http_status": 402},
                 "attempts": 1, "completed_at": "2026-11-26T12:00:01Z"}""".getBytes(StandardCharsets.UTF_8));

        List<JoinedAsk> joinedAsks = joined.readValuesToList();
        assertThat(joinedAsks).hasSize(2);
        assertThat(joinedAsks.get(1).result().error())
                .isEqualTo(new AskError(new AskError.UnknownType("quota_exhausted", 402), "out of credit"));
    }

    @Test
    void tombstonesOfThePurgeDeleteTheAskFromEveryTableAndFromTheJoin() {
        var progress = driver.createInputTopic(
                topics.progress().name(),
                topics.progress().keySerde().serializer(),
                topics.progress().valueSerde().serializer());
        requests.pipeInput("p1", ask("p1"));
        progress.pipeInput("p1", new AskProgress("p1", "dryrun", T0));
        results.pipeInput("p1", answer("p1", "old"));
        requests.pipeInput("p2", ask("p2"));
        assertThat(written()).containsExactly("p1=queued", "p1=running:dryrun", "p1=succeeded:old", "p2=queued");

        // the purge's tombstones for p1, the ask's last, as it comes through a repartition topic
        results.pipeInput("p1", (AskResult) null);
        progress.pipeInput("p1", (AskProgress) null);
        requests.pipeInput("p1", (AskRequest) null);

        assertThat(written())
                .as("the deletion reaches ask.joined, for its compaction")
                .endsWith("p1=deleted");
        for (String store :
                List.of(AskTopology.REQUESTS_BY_ID, AskTopology.RESULTS_BY_ID, AskTopology.PROGRESS_BY_ID)) {
            assertThat(driver.getKeyValueStore(store).get("p1")).as(store).isNull();
        }
        assertThat(driver.getKeyValueStore(AskTopology.REQUESTS_BY_ID).get("p2"))
                .as("another ask is untouched")
                .isNotNull();
    }
}
