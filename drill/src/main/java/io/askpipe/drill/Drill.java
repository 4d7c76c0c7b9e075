package io.askpipe.drill;

import io.askpipe.drill.DrillReport.Invariant;
import io.askpipe.schemas.AskRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One drill: submit, kill and restart on a schedule, wait until every accepted ask is answered (and
 * its webhook delivered), replay if asked, then check the invariants against what the clients were
 * told, what the result store holds, what {@code ask.results} carries, what the LLM was asked and
 * what the webhook receiver got.
 */
final class Drill {
    /** A {@code chaos_events_total} sample of a Prometheus scrape: its fault and its value. */
    private static final Pattern CHAOS_EVENTS =
            Pattern.compile("(?m)^chaos_events_total\\{[^}]*fault=\"([a-z_]+)\"[^}]*} ([0-9.eE+-]+)$");
    /** The line chaos mode logs for every injected fault. */
    private static final Pattern INJECTED = Pattern.compile("chaos: injected (\\S+) at (\\S+)");
    /** The result store's writer group, whose lag says the store has caught up. */
    private static final String STORE_WRITER_GROUP = "askpipe-result-store-writer";

    private final DrillOptions options;
    private final Path dir;
    private final PrintStream out;

    Drill(DrillOptions options, Path dir, PrintStream out) {
        this.options = options;
        this.dir = dir;
        this.out = out;
    }

    DrillReport run() throws Exception {
        try (LlmServer llm = LlmServer.start(Duration.ofMillis(options.vendorMs()));
                WebhookReceiver receiver = WebhookReceiver.start()) {
            out.printf(
                    options.running() == null
                            ? "drill: starting the deployment in " + dir + " ...%n"
                            : "drill: drilling the deployment at "
                                    + options.running().url() + "%n");
            try (Target deployment = options.running() == null
                            ? Deployment.start(options, dir, llm)
                            : RunningDeployment.attach(options.running());
                    Topology kafka = new Topology(deployment.bootstrapServers())) {
                return drill(deployment, kafka, llm, receiver);
            }
        }
    }

    private DrillReport drill(Target deployment, Topology kafka, LlmServer llm, WebhookReceiver receiver)
            throws Exception {
        boolean owned = options.running() == null;
        // on its own deployment, the same keys and prompts in every drill, so that the same seed
        // strikes the same places; a running deployment may have seen those keys before
        Load load = new Load(
                deployment.ingest(),
                deployment.apiKey(),
                owned ? "s" + options.seed() : Long.toString(System.currentTimeMillis(), 36),
                options.webhooks() ? receiver.url() : null);
        out.printf(
                "drill: %d asks (Idempotency-Keys %s to %s), %d clients%s%n",
                options.asks(),
                load.key(0),
                load.key(Math.max(0, options.asks() - 1)),
                options.concurrency(),
                owned
                        ? ", seed " + options.seed() + ", faults " + new TreeMap<>(options.faults())
                                + ", kill -9 of a worker every "
                                + options.killWorkerEvery().toSeconds() + " s"
                        : "");

        Map<String, Double> injectedBefore = owned ? Map.of() : injected(deployment);
        long started = System.nanoTime();
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        var chaos = background.submit(() -> killOnSchedule(deployment));
        var progress = background.submit(() -> showProgress(deployment, load, receiver, started));
        load.run(options.asks(), options.concurrency());
        double submitSeconds = (System.nanoTime() - started) / 1e9;
        load.refused.entrySet().stream()
                .findFirst()
                .ifPresent(first -> out.printf(
                        "drill: %d asks refused, ask %d with %s%n",
                        load.refused.size(), first.getKey(), first.getValue()));
        // a client's late retry must find its ask; checked at once, well within IDEMPOTENCY_TTL
        int retryFoundOther = lateRetries(load);
        boolean quiet = awaitQuiescence(deployment, load, receiver, started);
        chaos.cancel(true);
        progress.cancel(true);
        background.shutdownNow();
        background.awaitTermination(30, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - started) / 1e9;
        if (!quiet) {
            out.printf(
                    "drill: not every accepted ask was answered within %s s%n",
                    options.quiesceTimeout().toSeconds());
        }
        Thread.sleep(2_000); // late duplicates (a restarted worker's republish) show up in the checks

        Map<String, Row> rows = rows(deployment);
        DrillReport.ReplayOutcome replay = replay(deployment, kafka, llm, rows);
        // after the replay, so that the results it republished are compared too
        Map<String, Set<String>> results = kafka.distinctResults();

        List<Load.Accepted> accepted = List.copyOf(load.accepted.values());
        int succeeded = 0;
        int failed = 0;
        int lost = 0;
        Histogram toResult = new Histogram(3);
        for (Load.Accepted ask : accepted) {
            Row row = rows.get(ask.requestId());
            if (row == null || !row.terminal()) {
                lost++;
                continue;
            }
            if (row.status().equals("succeeded")) {
                succeeded++;
            } else {
                failed++;
            }
            toResult.recordValue(Math.max(0, row.updatedAtMillis() - ask.submittedAtMillis()));
        }
        int conflicting =
                (int) results.values().stream().filter(r -> r.size() > 1).count();

        Map<String, Integer> calls = llm.callsByPrompt();
        int asksCalled = 0;
        int calledMoreThanOnce = 0;
        int maxCalls = 0;
        for (Load.Accepted ask : accepted) {
            int n = calls.getOrDefault(load.prompt(ask.n()), 0);
            asksCalled += n > 0 ? 1 : 0;
            calledMoreThanOnce += n > 1 ? 1 : 0;
            maxCalls = Math.max(maxCalls, n);
        }
        long totalCalls = calls.values().stream().mapToLong(Integer::longValue).sum();

        Map<String, Integer> deliveries = receiver.deliveries();
        int expectedWebhooks = options.webhooks() ? accepted.size() : 0;
        int delivered = 0;
        for (Load.Accepted ask : accepted) {
            delivered += options.webhooks() && deliveries.containsKey("msg_" + ask.requestId()) ? 1 : 0;
        }
        int duplicateIds = (int) deliveries.values().stream().filter(n -> n > 1).count();
        int deliveryCount =
                deliveries.values().stream().mapToInt(Integer::intValue).sum();

        Map<String, DrillReport.ProcessLife> processes = new LinkedHashMap<>();
        for (ServiceProcess service : deployment.services()) {
            processes.put(
                    service.name(), new DrillReport.ProcessLife(service.starts(), service.kills(), service.crashes()));
        }

        List<Invariant> invariants = new ArrayList<>();
        invariants.add(Invariant.zero("lost", lost));
        invariants.add(Invariant.zero("asks_with_two_distinct_results", conflicting));
        invariants.add(Invariant.zero("late_retries_not_finding_their_ask", retryFoundOther));
        invariants.add(Invariant.zero("refused", load.refused.size()));
        if (options.webhooks()) {
            invariants.add(Invariant.zero("webhooks_missing", expectedWebhooks - delivered));
        }
        if (replay != null) {
            invariants.add(Invariant.atLeast("replay_redelivered", replay.redelivered(), 1));
            if (replay.backendCalls() != null) {
                invariants.add(Invariant.zero("replay_backend_calls", replay.backendCalls()));
            }
            invariants.add(Invariant.zero("replay_views_changed", replay.viewsChanged()));
        }
        boolean passed = invariants.stream().allMatch(Invariant::holds);

        return new DrillReport(
                new DrillReport.Settings(
                        options.asks(),
                        options.concurrency(),
                        options.seed(),
                        new TreeMap<>(options.faults()),
                        options.vendorLatencyMs(),
                        options.workers(),
                        options.killWorkerEvery().toSeconds(),
                        options.killStoreEvery().toSeconds(),
                        describe(options.replay()),
                        options.webhooks()),
                new DrillReport.Asks(
                        load.submitted.get(),
                        accepted.size(),
                        load.refused.size(),
                        load.gaveUp.get(),
                        load.retries.get(),
                        succeeded,
                        failed,
                        lost,
                        conflicting,
                        retryFoundOther),
                owned
                        ? new DrillReport.BackendCalls(
                                totalCalls, asksCalled, calledMoreThanOnce, maxCalls, totalCalls - asksCalled)
                        : null, // the deployment's own backends answered: not counted here
                new DrillReport.Webhooks(
                        expectedWebhooks, delivered, expectedWebhooks - delivered, duplicateIds, deliveryCount),
                owned ? faults(deployment) : faultsSince(injectedBefore, injected(deployment)),
                processes,
                new DrillReport.Throughput(
                        round(seconds),
                        round(accepted.size() / Math.max(submitSeconds, 1e-3)),
                        round((succeeded + failed) / Math.max(seconds, 1e-3))),
                new DrillReport.Latency(percentiles(load.submitLatency, 1_000.0), percentiles(toResult, 1.0)),
                replay,
                invariants,
                passed);
    }

    /** Kills a worker (round robin) and the store on their periods until cancelled. */
    private Void killOnSchedule(Target deployment) throws InterruptedException {
        long workerEvery = options.killWorkerEvery().toMillis();
        long storeEvery = options.killStoreEvery().toMillis();
        if (workerEvery == 0 && storeEvery == 0) {
            return null;
        }
        long start = System.currentTimeMillis();
        long nextWorker = workerEvery == 0 ? Long.MAX_VALUE : start + workerEvery;
        long nextStore = storeEvery == 0 ? Long.MAX_VALUE : start + storeEvery;
        int victim = 0;
        while (!Thread.currentThread().isInterrupted()) {
            long now = System.currentTimeMillis();
            if (now >= nextWorker) {
                ServiceProcess worker =
                        deployment.workers().get(victim++ % deployment.workers().size());
                out.printf("drill: kill -9 %s%n", worker.name());
                worker.kill();
                nextWorker += workerEvery;
            }
            if (now >= nextStore) {
                ServiceProcess store = deployment.store().orElseThrow();
                out.printf("drill: kill -9 %s%n", store.name());
                store.kill();
                nextStore += storeEvery;
            }
            Thread.sleep(Math.max(10, Math.min(nextWorker, nextStore) - System.currentTimeMillis()));
        }
        return null;
    }

    private Void showProgress(Target deployment, Load load, WebhookReceiver receiver, long started)
            throws InterruptedException {
        while (!Thread.currentThread().isInterrupted()) {
            Thread.sleep(2_000);
            out.printf(
                    "drill: %5.0f s  submitted %d/%d  accepted %d  answered %d  webhooks %d  restarts %d%n",
                    (System.nanoTime() - started) / 1e9,
                    load.submitted.get(),
                    options.asks(),
                    load.accepted.size(),
                    answered(deployment),
                    receiver.distinct(),
                    deployment.services().stream().mapToInt(s -> s.starts() - 1).sum());
        }
        return null;
    }

    /** Waits until every accepted ask has a terminal row and, with webhooks, a delivery. */
    private boolean awaitQuiescence(Target deployment, Load load, WebhookReceiver receiver, long started)
            throws InterruptedException {
        long deadline = System.nanoTime() + options.quiesceTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            int accepted = load.accepted.size();
            if (answered(deployment) >= accepted && (!options.webhooks() || receiver.distinct() >= accepted)) {
                out.printf("drill: %5.0f s  every accepted ask is answered%n", (System.nanoTime() - started) / 1e9);
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }

    /** Asks of the drill's user with a terminal row in the result store; -1 while it cannot be read. */
    static int answered(Target deployment) {
        try (Connection db = deployment.database();
                var query = db.prepareStatement(
                        "SELECT count(*) FROM store.asks WHERE user_id = ? AND status IN ('succeeded', 'failed')")) {
            query.setString(1, deployment.userId());
            var rows = query.executeQuery();
            rows.next();
            return rows.getInt(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** An ask as the result store holds it: what a client polling it sees. */
    private record Row(String status, String backend, String answer, String errorType, long updatedAtMillis) {
        boolean terminal() {
            return status.equals("succeeded") || status.equals("failed");
        }

        boolean sameView(Row other) {
            return status.equals(other.status)
                    && java.util.Objects.equals(backend, other.backend)
                    && java.util.Objects.equals(answer, other.answer)
                    && java.util.Objects.equals(errorType, other.errorType);
        }
    }

    private static Map<String, Row> rows(Target deployment) throws SQLException {
        Map<String, Row> rows = new java.util.HashMap<>();
        try (Connection db = deployment.database();
                var query = db.prepareStatement(
                        "SELECT request_id, status, backend, answer, error_type, updated_at FROM store.asks WHERE user_id = ?")) {
            query.setString(1, deployment.userId());
            var result = query.executeQuery();
            while (result.next()) {
                rows.put(
                        result.getString(1),
                        new Row(
                                result.getString(2),
                                result.getString(3),
                                result.getString(4),
                                result.getString(5),
                                result.getTimestamp(6).getTime()));
            }
        }
        return rows;
    }

    /** Every accepted key submitted once more: how many did not find their ask. */
    private int lateRetries(Load load) throws InterruptedException {
        AtomicInteger other = new AtomicInteger();
        Semaphore slots = new Semaphore(options.concurrency());
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Load.Accepted ask : load.accepted.values()) {
                slots.acquire();
                clients.execute(() -> {
                    try {
                        if (!load.replaysSameAsk(ask)) {
                            other.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        return other.get();
    }

    /**
     * Delivers accepted asks to the router again, as docs/operations.md ("Replay") tells an
     * operator to: for a point in the topic, stop the workers, reset the router group's offsets and
     * start them again; for one key, publish that key's record again. Then waits until the router
     * and the store have caught up and compares.
     */
    private DrillReport.ReplayOutcome replay(Target deployment, Topology kafka, LlmServer llm, Map<String, Row> before)
            throws Exception {
        if (options.replay() instanceof DrillOptions.Replay.None) {
            return null;
        }
        String requests = Topology.TOPICS.requests().name();
        String results = Topology.TOPICS.results().name();
        long callsBefore = llm.totalCalls();
        long resultsBefore = kafka.endOffsetSum(results);
        long redelivered;
        out.printf("drill: replay %s%n", describe(options.replay()));
        switch (options.replay()) {
            case DrillOptions.Replay.Key key -> redelivered = publishAgain(deployment, kafka, key.idempotencyKey());
            case DrillOptions.Replay.FromBeginning from ->
                redelivered = resetRouter(deployment, kafka, OffsetSpec.earliest());
            case DrillOptions.Replay.Since since ->
                redelivered = resetRouter(
                        deployment, kafka, OffsetSpec.forTimestamp(since.since().toEpochMilli()));
            case DrillOptions.Replay.None none -> throw new IllegalStateException("no replay");
        }
        long deadline = System.nanoTime() + options.quiesceTimeout().toNanos();
        while (System.nanoTime() < deadline
                && (kafka.lag(Deployment.ROUTER_GROUP, requests) > 0
                        || kafka.endOffsetSum(results) - resultsBefore < redelivered
                        || kafka.lag(
                                        STORE_WRITER_GROUP,
                                        Topology.TOPICS.joined().name())
                                > 0)) {
            Thread.sleep(500);
        }
        Thread.sleep(2_000);
        Map<String, Row> after = rows(deployment);
        int changed = 0; // over every ask of the drill's user, asks of earlier drills included
        for (var was : before.entrySet()) {
            Row now = after.get(was.getKey());
            if (now == null || !was.getValue().sameView(now)) {
                changed++;
            }
        }
        return new DrillReport.ReplayOutcome(
                describe(options.replay()),
                redelivered,
                kafka.endOffsetSum(results) - resultsBefore,
                options.running() == null ? llm.totalCalls() - callsBefore : null,
                changed);
    }

    /** Stops the workers, resets the router group to {@code spec}, starts them; returns the records to redo. */
    private long resetRouter(Target deployment, Topology kafka, OffsetSpec spec) throws Exception {
        String requests = Topology.TOPICS.requests().name();
        deployment.workers().parallelStream().forEach(ServiceProcess::stop);
        // static members do not leave the group when they stop; remove them, as the procedure says
        kafka.admin()
                .removeMembersFromConsumerGroup(Deployment.ROUTER_GROUP, new RemoveMembersFromConsumerGroupOptions())
                .all()
                .get();
        Map<TopicPartition, Long> end = kafka.offsets(requests, OffsetSpec.latest());
        Map<TopicPartition, Long> target = kafka.offsets(requests, spec);
        Map<TopicPartition, OffsetAndMetadata> reset = new java.util.HashMap<>();
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

    /** Publishes the latest record of {@code idempotencyKey} to {@code ask.requests} again; returns 1 if found. */
    private long publishAgain(Target deployment, Topology kafka, String idempotencyKey)
            throws ExecutionException, InterruptedException {
        // matched by the value: records are keyed by request id (older ones by idempotency scope)
        var values = Topology.TOPICS.requests().valueSerde().deserializer();
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        kafka.readAll(Topology.TOPICS.requests().name(), record -> {
            if (record.value() == null) {
                return;
            }
            AskRequest ask = values.deserialize(record.topic(), record.value());
            if (ask.userId().equals(deployment.userId()) && ask.idempotencyKey().equals(idempotencyKey)) {
                found.clear();
                found.add(record);
            }
        });
        if (found.isEmpty()) {
            out.printf(
                    "drill: no ask with Idempotency-Key %s on %s%n",
                    idempotencyKey, Topology.TOPICS.requests().name());
            return 0;
        }
        ConsumerRecord<byte[], byte[]> record = found.getFirst();
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", deployment.bootstrapServers(), "acks", "all"),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(record.topic(), null, record.key(), record.value(), record.headers()))
                    .get();
        }
        return 1;
    }

    /** Faults injected, read from every service's log. */
    private static DrillReport.Faults faults(Target deployment) throws IOException {
        Map<String, Integer> strikes = new TreeMap<>();
        Map<String, Set<String>> places = new TreeMap<>();
        for (ServiceProcess service : deployment.services()) {
            if (!Files.exists(service.log())) {
                continue;
            }
            try (var lines = Files.lines(service.log(), StandardCharsets.UTF_8)) {
                lines.forEach(line -> {
                    Matcher m = INJECTED.matcher(line);
                    if (m.find()) {
                        strikes.merge(m.group(1), 1, Integer::sum);
                        places.computeIfAbsent(m.group(1), f -> new TreeSet<>()).add(m.group(2));
                    }
                });
            }
        }
        Map<String, DrillReport.FaultCount> byType = new TreeMap<>();
        int distinct = 0;
        MessageDigest digest = sha256();
        for (var fault : places.entrySet()) {
            byType.put(
                    fault.getKey(),
                    new DrillReport.FaultCount(
                            strikes.get(fault.getKey()), fault.getValue().size()));
            distinct += fault.getValue().size();
            for (String place : fault.getValue()) {
                digest.update((fault.getKey() + " " + place + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return new DrillReport.Faults(
                byType, distinct, HexFormat.of().formatHex(digest.digest()).substring(0, 16));
    }

    /**
     * {@code chaos_events_total} by fault, from the deployment's {@code /metrics}: where the drill
     * cannot read the services' logs, it counts strikes but cannot name their places.
     */
    private static Map<String, Double> injected(Target deployment) throws IOException, InterruptedException {
        var response = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        java.net.http.HttpRequest.newBuilder(deployment.metrics())
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        Map<String, Double> counts = new TreeMap<>();
        Matcher m = CHAOS_EVENTS.matcher(response.body());
        while (m.find()) {
            counts.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return counts;
    }

    private static DrillReport.Faults faultsSince(Map<String, Double> before, Map<String, Double> after) {
        Map<String, DrillReport.FaultCount> byType = new TreeMap<>();
        after.forEach((fault, count) -> {
            int strikes = (int) (count - before.getOrDefault(fault, 0.0));
            if (strikes > 0) {
                byType.put(fault, new DrillReport.FaultCount(strikes, 0));
            }
        });
        return new DrillReport.Faults(byType, 0, null);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static DrillReport.Percentiles percentiles(Histogram histogram, double divisor) {
        if (histogram.getTotalCount() == 0) {
            return new DrillReport.Percentiles(0, 0, 0, 0);
        }
        return new DrillReport.Percentiles(
                round(histogram.getValueAtPercentile(50) / divisor),
                round(histogram.getValueAtPercentile(95) / divisor),
                round(histogram.getValueAtPercentile(99) / divisor),
                round(histogram.getMaxValue() / divisor));
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    static String describe(DrillOptions.Replay replay) {
        return switch (replay) {
            case DrillOptions.Replay.None none -> "none";
            case DrillOptions.Replay.FromBeginning from -> "beginning";
            case DrillOptions.Replay.Since since -> "since:" + since.since();
            case DrillOptions.Replay.Key key -> "key:" + key.idempotencyKey();
        };
    }

    static Path directory(DrillOptions options) {
        try {
            return options.dir() != null
                    ? Files.createDirectories(options.dir())
                    : Files.createTempDirectory("askpipe-drill-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
