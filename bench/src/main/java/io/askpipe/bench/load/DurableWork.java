package io.askpipe.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.bench.accept.IngestLedger;
import io.askpipe.bench.accept.IngestProducer;
import io.askpipe.bench.load.AskLoadResult.DurableBaseline;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.ingest.api.AskSubmission;
import io.askpipe.ingest.api.RequestIds;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The baseline of the ingest peak: the durable work ingest does for each ask, without HTTP, on its
 * production classes ({@link IngestLedger}, {@link IngestProducer}) against the stack's broker and
 * PostgreSQL. Each of {@code in-flight} callers takes one ask after another as a submit does: the
 * ask record ingest makes of the load generator's body, its key claimed in the ledger (batched with
 * the other callers' claims), published and waited for until the broker acknowledged it ({@code
 * acks=all}), then its accepted mark handed to the ledger's next batch without waiting, as ingest
 * does after its 202. A closed loop, timed like the ingest peak's: a warm-up, then the asks started
 * and acknowledged within the measured seconds.
 *
 * <p>Run as its own process by the ingest peak phase ({@link LoadPhases#ingestPeak}), standing where
 * the services stand; its ledger is a database of its own on the stack's PostgreSQL and its topics
 * have a prefix of their own, so that neither the stack's ledger recovery nor its router sees these
 * asks. Arguments: bootstrap servers, JDBC URL, user, password, asks in flight, warm-up and
 * measured seconds. Prints its figures as one line of JSON after {@link #RESULT}.
 */
public final class DurableWork {
    /** What the line with the figures starts with. */
    static final String RESULT = "durable work: ";

    private static final String TOPIC_PREFIX = "askload-durable.";
    /** The longest the marks still pending at the end may take to be written. */
    private static final Duration MARKS_DRAIN = Duration.ofMinutes(1);

    private final IngestLedger ledger;
    private final AskPublisher publisher;
    private final Clock clock;
    private final String userId = UUID.randomUUID().toString();
    private final String run = "durable-" + UUID.randomUUID().toString().substring(0, 8);

    private DurableWork(IngestLedger ledger, AskPublisher publisher, Clock clock) {
        this.ledger = ledger;
        this.publisher = publisher;
        this.clock = clock;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println(
                    "usage: DurableWork BOOTSTRAP_SERVERS JDBC_URL USER PASSWORD IN_FLIGHT WARMUP_S SECONDS");
            System.exit(2);
        }
        Env env = Env.of(Map.of(
                KafkaSettings.BOOTSTRAP_SERVERS.name(), args[0],
                KafkaSettings.TOPIC_PREFIX.name(), TOPIC_PREFIX,
                DatabaseSettings.URL.name(), args[1],
                DatabaseSettings.USER.name(), args[2],
                DatabaseSettings.PASSWORD.name(), args[3]));
        KafkaSettings kafka = KafkaSettings.fromEnv(env);
        TopicProvisioner.ensure(kafka, "askload-durable-admin");
        Clock clock = Clock.systemUTC();
        DurableBaseline result;
        try (IngestLedger ledger = IngestLedger.open(DatabaseSettings.fromEnv(env), "askload-durable", clock);
                IngestProducer producer = IngestProducer.open(kafka, "askload-durable")) {
            result = new DurableWork(ledger, producer.publisher(), clock)
                    .run(
                            Integer.parseInt(args[4]),
                            Duration.ofSeconds(Long.parseLong(args[5])),
                            Duration.ofSeconds(Long.parseLong(args[6])));
        }
        System.out.println(RESULT + Json.mapper().writeValueAsString(result));
        System.exit(0);
    }

    /** The figures in the output of a run of {@link #main}. */
    static DurableBaseline result(String output) {
        String line = output.lines()
                .filter(l -> l.startsWith(RESULT))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new IllegalStateException("DurableWork said:\n" + output));
        try {
            return Json.mapper().readValue(line.substring(RESULT.length()), DurableBaseline.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("DurableWork's figures do not read: " + line, e);
        }
    }

    /**
     * The ask record ingest makes of the load generator's {@code POST /v1/ask} with {@code
     * idempotencyKey} ({@link HttpLoad#body}) for user {@code userId}: a prompt, no model, backend,
     * callback, metadata, trace context or deadline, interactive.
     */
    static AskRequest ask(String userId, String idempotencyKey, Clock clock) {
        return ask(userId, idempotencyKey, submission(idempotencyKey), clock);
    }

    private static AskRequest ask(String userId, String idempotencyKey, AskSubmission submission, Clock clock) {
        Instant now = clock.instant();
        return new AskRequest(
                RequestIds.next(clock).toString(),
                userId,
                idempotencyKey,
                submission.chat(),
                null,
                now,
                null,
                Map.of(),
                null,
                Optional.empty(),
                Priority.INTERACTIVE);
    }

    /** The idempotency fingerprint ingest computes of that body. */
    static String fingerprint(String idempotencyKey) {
        return submission(idempotencyKey).fingerprint();
    }

    private static AskSubmission submission(String idempotencyKey) {
        return new AskSubmission(HttpLoad.prompt(idempotencyKey), null, null, null);
    }

    /** {@code inFlight} callers for {@code warmup}, then for {@code duration} measured. */
    private DurableBaseline run(int inFlight, Duration warmup, Duration duration) throws InterruptedException {
        Histogram latency = HttpLoad.histogram();
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        Set<CompletableFuture<Void>> marks = ConcurrentHashMap.newKeySet();
        AtomicLong next = new AtomicLong();
        long measureFrom = System.nanoTime() + warmup.toNanos();
        long end = measureFrom + duration.toNanos();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < inFlight; c++) {
                callers.execute(() -> {
                    for (long sent = System.nanoTime(); sent < end; sent = System.nanoTime()) {
                        String key = run + "-" + next.getAndIncrement();
                        AskSubmission submission = submission(key); // once, as ingest reads a body once
                        AskRequest ask = ask(userId, key, submission, clock);
                        boolean measured = sent >= measureFrom;
                        try {
                            ledger.claim(ask, submission.fingerprint());
                            publisher.publish(ask).get();
                        } catch (Exception e) {
                            if (measured) {
                                errors.computeIfAbsent(kind(e), k -> new AtomicLong())
                                        .incrementAndGet();
                            }
                            continue;
                        }
                        long acknowledged = System.nanoTime();
                        if (measured && acknowledged <= end) {
                            latency.recordValue(Math.max(0, (acknowledged - sent) / 1_000));
                        }
                        CompletableFuture<Void> mark = ledger.markAcceptedLater(ask);
                        marks.add(mark);
                        mark.whenComplete((written, error) -> {
                            marks.remove(mark);
                            if (error != null && measured) {
                                errors.computeIfAbsent("mark: " + kind(error), k -> new AtomicLong())
                                        .incrementAndGet();
                            }
                        });
                    }
                });
            }
        }
        awaitMarks(marks);
        Map<String, Long> byKind = new TreeMap<>();
        errors.forEach((kind, count) -> byKind.put(kind, count.get()));
        return new DurableBaseline(
                inFlight,
                latency.getTotalCount(),
                duration.toNanos() / 1e9,
                latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0,
                byKind);
    }

    /** Waits until the marks handed to the ledger are written, so that none is left to the next phase. */
    private static void awaitMarks(Set<CompletableFuture<Void>> marks) throws InterruptedException {
        try {
            CompletableFuture.allOf(marks.toArray(CompletableFuture[]::new))
                    .get(MARKS_DRAIN.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            // a failed mark was counted; one not written in time is the database's to finish
        }
    }

    private static String kind(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        return cause.getClass().getSimpleName();
    }
}
