package io.askpipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.devstack.DevStack;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.router.consume.ConsumerLoop;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Topic;
import io.askpipe.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What a batch backlog costs interactive asks: the submit-to-result time of interactive asks
 * submitted at a steady RATE for SECONDS, first with nothing else queued, then right after BACKLOG
 * batch asks were loaded onto {@code ask.requests.batch} (as a batch of the Batches API will be),
 * while that backlog drains. The whole dev stack runs in this process on an embedded broker and
 * database, the dryrun backend answering after LATENCY_MS, the router with MAX_IN_FLIGHT slots; an
 * interactive ask is timed from just before its {@code POST /v1/ask} until its long-poll ({@code GET
 * /v1/ask/{id}?wait=10}) answers it done, and apart from that, from its {@code accepted_at} to the
 * router's {@code completed_at} (the router's share of the time). Submits are open-loop: one every
 * 1/RATE s, whatever the earlier ones do. The run ends with the second window: what is left of the
 * backlog then is not waited for.
 *
 * <p>{@code ./askpipe bench PriorityLoad [BACKLOG] [RATE] [SECONDS] [LATENCY_MS] [MAX_IN_FLIGHT]}
 */
public final class PriorityLoad {
    private PriorityLoad() {}

    public static void main(String[] args) throws Exception {
        int backlog = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int latencyMs = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int maxInFlight = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        Topics topics = Topics.ofDefaults();
        try (EmbeddedKafka broker = EmbeddedKafka.temporary().start();
                EmbeddedPostgresServer postgres = EmbeddedPostgresServer.temporary();
                DevStack stack = DevStack.start(
                        Map.of(
                                "HTTP_PORT", "0",
                                "DRYRUN_LATENCY_MS", String.valueOf(latencyMs),
                                "ROUTER_MAX_IN_FLIGHT", String.valueOf(maxInFlight)),
                        broker.bootstrapServers(),
                        postgres.createDatabase("bench"),
                        postgres.user(),
                        postgres.password());
                Admin admin =
                        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Client client = new Client(
                    URI.create(stack.clientUrl()),
                    "Bearer " + stack.issueDevKey().secret());
            client.run(Math.min(rate * 5, 50), 1); // warm-up, not counted

            Timings alone = client.run(rate, seconds);

            long resultsBefore = endOffsets(admin, topics.results().name());
            long loadStarted = System.nanoTime();
            load(broker.bootstrapServers(), topics.batchRequests(), backlog);
            double loadSeconds = (System.nanoTime() - loadStarted) / 1e9;
            Timings behindBacklog = client.run(rate, seconds);
            int interactive = behindBacklog.total().size();
            // the router's results, less the interactive ones (a replayed result would count too: none here)
            long answeredDuring = endOffsets(admin, topics.results().name()) - resultsBefore - interactive;
            double drainSeconds = (System.nanoTime() - loadStarted) / 1e9;

            System.out.printf(
                    "PriorityLoad: interactive asks at %.0f/s for %d s; dryrun %d ms; ROUTER_MAX_IN_FLIGHT=%d"
                            + " (batch asks hold at most %d); %d batch asks loaded in %.1f s%n",
                    rate, seconds, latencyMs, maxInFlight, ConsumerLoop.batchSlots(maxInFlight), backlog, loadSeconds);
            System.out.println("| run | interactive asks | p50 | p90 | p99 | max | p99 accepted to router's answer"
                    + " | batch asks answered meanwhile |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            row("no backlog", alone, 0);
            row(backlog + " batch asks draining", behindBacklog, answeredDuring);
            System.out.printf(
                    "p99 with the backlog / without: %.2fx; %d of the %d batch asks answered in the %.1f s after"
                            + " they were loaded (%.0f asks/s), the rest left to drain%n",
                    quantile(behindBacklog.total(), 0.99) / (double) quantile(alone.total(), 0.99),
                    answeredDuring,
                    backlog,
                    drainSeconds,
                    answeredDuring / drainSeconds);
        }
    }

    /** Puts {@code asks} batch asks on {@code topic} as ingest would publish them. */
    private static void load(String bootstrap, Topic<String, AskRequest> topic, int asks) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(
                props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (int i = 0; i < asks; i++) {
                AskRequest ask = new AskRequest(
                                UUID.randomUUID().toString(),
                                "bench-batch",
                                "line-" + i,
                                "batch line " + i,
                                null,
                                null,
                                Instant.now())
                        .withPriority(Priority.BATCH);
                producer.send(new ProducerRecord<>(topic.name(), ask.requestId(), ask));
            }
        }
    }

    private static long endOffsets(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get().values().stream()
                .mapToLong(info -> info.offset())
                .sum();
    }

    /** Submits interactive asks at a steady rate and times each until its result. */
    private record Client(URI base, String bearer) {
        private static final HttpClient HTTP = HttpClient.newHttpClient();

        /** The times of {@code rate} asks a second for {@code seconds}. */
        Timings run(double rate, int seconds) throws InterruptedException {
            ConcurrentLinkedQueue<long[]> took = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
            long interval = (long) (1e9 / rate);
            int asks = (int) Math.round(rate * seconds);
            long start = System.nanoTime();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < asks; i++) {
                    LockSupport.parkNanos(start + i * interval - System.nanoTime());
                    int n = i;
                    clients.execute(() -> {
                        try {
                            took.add(ask(n));
                        } catch (Exception e) {
                            failed.add(e.toString());
                        }
                    });
                }
            }
            if (!failed.isEmpty()) {
                throw new IllegalStateException(failed.size() + " interactive asks failed, first: " + failed.peek());
            }
            return new Timings(
                    took.stream().map(t -> t[0]).toList(),
                    took.stream().map(t -> t[1]).toList());
        }

        /** Submit to result, and accepted to answered by the router, in microseconds. */
        private long[] ask(int n) throws Exception {
            long started = System.nanoTime();
            HttpResponse<String> accepted = HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/v1/ask"))
                            .header("Authorization", bearer)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"interactive " + n + "\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (accepted.statusCode() != 202) {
                throw new IllegalStateException("submit answered " + accepted.statusCode() + ": " + accepted.body());
            }
            String id =
                    Json.mapper().readTree(accepted.body()).get("request_id").asText();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (System.nanoTime() < deadline) {
                HttpResponse<String> answer = HTTP.send(
                        HttpRequest.newBuilder(base.resolve("/v1/ask/" + id + "?wait=10"))
                                .header("Authorization", bearer)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 404) {
                    // accepted, not yet written by the result store: a long poll needs a row to wait on
                    Thread.sleep(10);
                    continue;
                }
                JsonNode view = Json.mapper().readTree(answer.body());
                String status = view.path("status").asText();
                if (status.equals("succeeded")) {
                    long total = (System.nanoTime() - started) / 1_000;
                    Duration routed = Duration.between(
                            Instant.parse(view.get("accepted_at").asText()),
                            Instant.parse(view.get("completed_at").asText()));
                    return new long[] {total, routed.toNanos() / 1_000};
                }
                if (!status.equals("queued") && !status.equals("running")) {
                    throw new IllegalStateException("ask " + id + " ended " + answer.body());
                }
            }
            throw new IllegalStateException("ask " + id + " not done after 10 minutes");
        }
    }

    /**
     * The submit-to-result times of a run's asks, and the part of each from its accept to the
     * router's answer ({@code accepted_at} to {@code completed_at}), in microseconds.
     */
    private record Timings(List<Long> total, List<Long> routed) {}

    private static void row(String run, Timings timings, long batchAnswered) {
        List<Long> micros = timings.total();
        System.out.printf(
                "| %s | %d | %s | %s | %s | %s | %s | %d |%n",
                run,
                micros.size(),
                ms(micros, 0.50),
                ms(micros, 0.90),
                ms(micros, 0.99),
                ms(micros, 1.0),
                ms(timings.routed(), 0.99),
                batchAnswered);
    }

    private static long quantile(List<Long> micros, double quantile) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(0, index));
    }

    private static String ms(List<Long> micros, double quantile) {
        return micros.isEmpty() ? "-" : String.format("%.0f ms", quantile(micros, quantile) / 1000.0);
    }
}
