package io.askpipe.router.process;

import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.kafka.AskSizes;
import io.askpipe.common.log.LogContext;
import io.askpipe.common.retry.Backoff;
import io.askpipe.common.service.Metrics;
import io.askpipe.router.cancel.CancelGuard;
import io.askpipe.router.route.AskHandler;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one polled ask with the one result its request id has: the result already kept in
 * {@link RouterResults} if there is one, else a fresh one from the backends, kept first and then
 * published to {@code ask.results}.
 *
 * <p>An ask its owner cancelled ends {@code cancelled} ({@link CancelGuard}): with no backend call
 * when the cancel came first, or with its call interrupted; whichever of the answer and the cancel
 * is kept first is the ask's one result, and the kept one is what is published.
 *
 * <p>An ask that already has a result (a redelivery, a replay, another worker's race) gets that
 * result published again without a backend call. An ask accepted longer than {@code retention} ago
 * is skipped: nobody keeps its answer any more. Database and Kafka faults on the way are retried
 * ({@link Backoff#INFRASTRUCTURE}) until they pass or {@link #stop()} is called, so they hold asks
 * back rather than lose them; a stopped processor gives the ask up ({@link InterruptedException})
 * for the next owner of its partition.
 *
 * <p>Its parts, one job each: the {@link ProgressAnnouncer} says an ask is running once its call
 * lasts, the {@link CrashPoint} is where an injected worker crash strikes, the {@link
 * ResultSizeLimit} turns a result too large for Kafka into a failure, and the {@link
 * ResultPublisher} sends the result. Thread-safe: asks are processed concurrently, each on a thread
 * of its own.
 */
public final class AskProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AskProcessor.class);
    /** The line per ask and hop (LOG_ASKS). */
    private static final Logger ASKS = LoggerFactory.getLogger("io.askpipe.router.asks");

    private final RouterResults results;
    private final AskHandler handler;
    private final CancelGuard cancels;
    private final ProgressAnnouncer progress;
    private final CrashPoint crash;
    private final ResultPublisher publisher;
    private final ResultSizeLimit sizeLimit;
    private final Duration retention;
    private final Clock clock;

    private final Timer queued;
    private final Timer publish;
    private final Timer inWorker;
    private final Counter pastRetention;

    private volatile boolean running = true;

    /**
     * @param results where results are looked up and kept
     * @param handler calls the backends for an ask that has no result yet
     * @param cancels ends an ask its owner cancelled, before or during its backend work
     * @param resultProducer sends results to {@code ask.results}
     * @param progressProducer sends progress records to {@code ask.progress}
     * @param sizes the largest result that is published as it is ({@link ResultSizeLimit})
     * @param progressAfter how long a backend call runs before the ask is announced as running
     *     (zero: at once)
     * @param retention the age past which an ask is not run
     * @param faults where an injected worker crash may strike ({@code WORKER_CRASH})
     * @param clock tells an ask's age and when a worker started on it
     */
    public AskProcessor(
            RouterResults results,
            AskHandler handler,
            CancelGuard cancels,
            Producer<String, AskResult> resultProducer,
            Producer<byte[], byte[]> progressProducer,
            Topics topics,
            AskSizes sizes,
            Duration progressAfter,
            Duration retention,
            MeterRegistry registry,
            FaultInjector faults,
            Clock clock) {
        this.results = results;
        this.handler = handler;
        this.cancels = cancels;
        this.progress = new ProgressAnnouncer(progressProducer, topics.progress(), progressAfter, clock);
        this.crash = new CrashPoint(faults);
        this.publisher = new ResultPublisher(resultProducer, topics.results().name());
        this.sizeLimit = new ResultSizeLimit(topics.results(), sizes);
        this.retention = retention;
        this.clock = clock;
        this.queued = Metrics.stage(registry, "queued");
        this.publish = Metrics.stage(registry, "publish");
        this.inWorker = Metrics.stage(registry, "worker");
        this.pastRetention = Counter.builder("router_asks_past_retention")
                .description("Asks not run because they were accepted longer than ROUTER_RETENTION ago")
                .register(registry);
    }

    /**
     * Answers {@code request}, fetched at {@code polledAtNanos} ({@link System#nanoTime()}), and
     * returns once its result is acknowledged by the broker (or it was skipped as too old).
     *
     * @throws InterruptedException if the processor stopped, or crashed, before the result was
     *     published: the ask is to be handed back uncommitted
     */
    public void process(AskRequest request, long polledAtNanos) throws InterruptedException {
        // every line about this ask, here and in the backends, carries its request id
        try (var log = LogContext.of("request_id", request.requestId(), "traceparent", request.traceparent())) {
            answer(request, polledAtNanos);
        }
    }

    private void answer(AskRequest request, long polledAtNanos) throws InterruptedException {
        Duration waited = Duration.between(request.acceptedAt(), clock.instant());
        if (waited.compareTo(retention) > 0) {
            // a replay, or a group whose offsets expired reading from the beginning: the result
            // store has purged this ask (or soon will), and router.results its result; running it
            // again would cost a backend call that nobody reads
            pastRetention.increment();
            LOG.debug("ask accepted {} ago is past the retention period; not run", waited);
            return;
        }
        if (!waited.isNegative()) {
            queued.record(waited);
        }
        Optional<AskResult> known =
                untilDone("look up the result of " + request.requestId(), () -> results.find(request.requestId()));
        AskResult result;
        if (known.isPresent()) {
            LOG.info(
                    "ask already answered, publishing its result again request_id={} backend={}",
                    request.requestId(),
                    known.get().backend());
            result = known.get();
        } else {
            AskResult fresh = cancels.run(
                    request,
                    started -> progress.announcingWhile(
                            request, (ask, onStart) -> handler.handle(ask, onStart.andThen(started))));
            result = untilDone("keep the result of " + request.requestId(), () -> results.keepFirst(fresh));
            crash.strike(request);
        }
        // a result too large for Kafka would be refused at every attempt: it is published as a failure
        AskResult fitting = sizeLimit.fit(result);
        long publishing = System.nanoTime();
        untilDone(
                "publish the result of " + request.requestId(),
                () -> publisher.send(request, fitting).get());
        long published = System.nanoTime();
        publish.record(published - publishing, TimeUnit.NANOSECONDS);
        inWorker.record(published - polledAtNanos, TimeUnit.NANOSECONDS);
        try (var log = LogContext.of("backend", result.backend())) {
            ASKS.info(
                    "ask answered: {} in {} ms after {} backend calls",
                    fitting.status().wireName(),
                    result.latencyMs(),
                    result.attempts());
        }
    }

    /** Runs an infrastructure step (a query, a publish) until it succeeds or the processor stops. */
    private <T> T untilDone(String what, Callable<T> step) throws InterruptedException {
        return Backoff.INFRASTRUCTURE.untilDone(what, step, () -> running, LOG);
    }

    /**
     * Stops retrying: an infrastructure step that fails from now on gives its ask up. Asks whose
     * steps pass still finish; the consumer loop decides how long they may take.
     */
    public void stop() {
        running = false;
    }

    /** Stops the progress announcements; call once no ask runs any more. */
    @Override
    public void close() {
        progress.close();
    }
}
