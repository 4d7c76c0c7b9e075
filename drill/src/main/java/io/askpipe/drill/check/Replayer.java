package io.askpipe.drill.check;

import io.askpipe.common.kafka.AskSizes;
import io.askpipe.drill.deploy.ClusterReader;
import io.askpipe.drill.deploy.Deployment;
import io.askpipe.drill.deploy.ServiceProcess;
import io.askpipe.drill.deploy.Target;
import io.askpipe.drill.load.LlmServer;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import io.askpipe.schemas.AskRequest;
import io.askpipe.store.sink.AskWriter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The drill's replay: delivers accepted asks to the router again, as docs/operations.md ("Replay")
 * tells an operator to (for a point in the topic, stop the workers, reset the router group's offsets
 * and start them again; for one key, publish that key's record again), waits until the router and
 * the store have caught up, and compares what clients see before and after.
 */
public final class Replayer {
    /** The result store's group, whose lag over the asks' topics says the store has caught up. */
    private static final String STORE_ASKS_GROUP = "askpipe-result-store-asks";

    private final Target deployment;
    private final ClusterReader kafka;
    private final Optional<LlmServer> llm;
    private final Duration catchUpTimeout;
    private final PrintStream out;

    /**
     * @param llm the LLM the deployment's workers call, whose calls a replay must not add to; empty
     *     against a running deployment, whose backends the drill does not see
     * @param catchUpTimeout how long to wait for the router and the store to catch up
     */
    public Replayer(
            Target deployment, ClusterReader kafka, Optional<LlmServer> llm, Duration catchUpTimeout, PrintStream out) {
        this.deployment = deployment;
        this.kafka = kafka;
        this.llm = llm;
        this.catchUpTimeout = catchUpTimeout;
        this.out = out;
    }

    /**
     * Stops the workers, resets the router group to {@code spec} and starts them again.
     *
     * @param what the replay as the report names it
     * @param before the store's rows before the replay
     */
    public ReplayOutcome resetRouter(String what, OffsetSpec spec, Map<String, StoreRows.Row> before) throws Exception {
        return replay(what, () -> resetRouterTo(spec), before);
    }

    /** Publishes the latest record of {@code idempotencyKey} to its topic of asks again. */
    public ReplayOutcome publishAgain(String what, String idempotencyKey, Map<String, StoreRows.Row> before)
            throws Exception {
        return replay(what, () -> publishAgain(idempotencyKey), before);
    }

    private ReplayOutcome replay(String what, Callable<Long> redeliver, Map<String, StoreRows.Row> before)
            throws Exception {
        List<String> requests = ClusterReader.TOPICS.allRequestNames();
        String results = ClusterReader.TOPICS.results().name();
        Optional<Long> callsBefore = llm.map(LlmServer::totalCalls);
        long resultsBefore = kafka.endOffsetSum(results);
        out.printf("drill: replay %s%n", what);
        long redelivered = redeliver.call();
        long deadline = System.nanoTime() + catchUpTimeout.toNanos();
        while (System.nanoTime() < deadline
                && (routerLag(requests) > 0
                        || kafka.endOffsetSum(results) - resultsBefore < redelivered
                        || storeLag() > 0)) {
            Thread.sleep(500);
        }
        Thread.sleep(2_000);
        Map<String, StoreRows.Row> after = StoreRows.read(deployment);
        int changed = 0; // over every ask of the drill's user, asks of earlier drills included
        for (var was : before.entrySet()) {
            StoreRows.Row now = after.get(was.getKey());
            if (now == null || !was.getValue().sameView(now)) {
                changed++;
            }
        }
        return new ReplayOutcome(
                what,
                redelivered,
                kafka.endOffsetSum(results) - resultsBefore,
                callsBefore.map(calls -> llm.orElseThrow().totalCalls() - calls).orElse(null),
                changed);
    }

    /** The result store's lag summed over the topics it writes asks from. */
    private long storeLag() throws Exception {
        long lag = 0;
        for (String topic : AskWriter.sources(ClusterReader.TOPICS)) {
            lag += kafka.lag(STORE_ASKS_GROUP, topic);
        }
        return lag;
    }

    /** The router group's lag summed over {@code topics}. */
    private long routerLag(List<String> topics) throws Exception {
        long lag = 0;
        for (String topic : topics) {
            lag += kafka.lag(Deployment.ROUTER_GROUP, topic);
        }
        return lag;
    }

    /** Stops the workers, resets the router group to {@code spec}, starts them; returns the records to redo. */
    private long resetRouterTo(OffsetSpec spec) throws Exception {
        deployment.workers().parallelStream().forEach(ServiceProcess::stop);
        // static members do not leave the group when they stop; remove them, as the procedure says
        kafka.admin()
                .removeMembersFromConsumerGroup(Deployment.ROUTER_GROUP, new RemoveMembersFromConsumerGroupOptions())
                .all()
                .get();
        // both priorities' topics: the group reads them together
        Map<TopicPartition, Long> end = new HashMap<>();
        Map<TopicPartition, Long> target = new HashMap<>();
        for (String requests : ClusterReader.TOPICS.allRequestNames()) {
            end.putAll(kafka.offsets(requests, OffsetSpec.latest()));
            target.putAll(kafka.offsets(requests, spec));
        }
        Map<TopicPartition, OffsetAndMetadata> reset = new HashMap<>();
        long redelivered = 0;
        for (var entry : end.entrySet()) {
            long to = target.getOrDefault(entry.getKey(), -1L);
            to = to < 0 ? entry.getValue() : to; // no record at or after the instant: nothing to redo
            reset.put(entry.getKey(), new OffsetAndMetadata(to));
            redelivered += entry.getValue() - to;
        }
        kafka.admin()
                .alterConsumerGroupOffsets(Deployment.ROUTER_GROUP, reset)
                .all()
                .get();
        for (ServiceProcess worker : deployment.workers()) {
            worker.start();
        }
        for (ServiceProcess worker : deployment.workers()) {
            worker.awaitReady(Duration.ofSeconds(120));
        }
        return redelivered;
    }

    /**
     * Publishes the latest record of {@code idempotencyKey} to the topic it is on ({@code
     * ask.requests} or {@code ask.requests.batch}) again; returns 1 if found.
     */
    private long publishAgain(String idempotencyKey) throws Exception {
        // matched by the value: records are keyed by request id (older ones by idempotency scope)
        var values = ClusterReader.TOPICS.requests().valueSerde().deserializer();
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        for (String requests : ClusterReader.TOPICS.allRequestNames()) {
            kafka.readAll(requests, record -> {
                if (record.value() == null) {
                    return;
                }
                AskRequest ask = values.deserialize(record.topic(), record.value());
                if (ask.userId().equals(deployment.userId())
                        && ask.idempotencyKey().equals(idempotencyKey)) {
                    found.clear();
                    found.add(record);
                }
            });
        }
        if (found.isEmpty()) {
            out.printf(
                    "drill: no ask with Idempotency-Key %s on %s%n",
                    idempotencyKey, ClusterReader.TOPICS.allRequestNames());
            return 0;
        }
        ConsumerRecord<byte[], byte[]> record = found.getFirst();
        // the ask as it was, however large: sized for any deployment's ASK_MAX_BYTES, since the
        // drill does not know the one it replays into (a producer's limit is a ceiling, not a cost)
        Map<String, Object> props = new HashMap<>(AskSizes.LARGEST.producerProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, deployment.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(record.topic(), null, record.key(), record.value(), record.headers()))
                    .get();
        }
        return 1;
    }
}
