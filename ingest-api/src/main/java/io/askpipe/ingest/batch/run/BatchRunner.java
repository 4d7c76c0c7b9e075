package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.batch.input.InputValidator;
import io.askpipe.ingest.batch.output.OutputFiles;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.PostgresBatches;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop every ingest instance runs over the batches: it leases one batch with work left at a
 * time (shared by every instance through the lease in the batch's row, renewed while it works, so
 * a dead instance's batch moves on once its lease ran out) and does its next step, then looks for
 * the next; with nothing to do it waits {@code BATCH_POLL_INTERVAL_MS}, or less when {@link #wake()}
 * says a batch was created, cancelled or settled in this instance. One thread of its own.
 */
public final class BatchRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);
    /** How long one lease works on one batch before the others get their turn. */
    private static final Duration SLICE = Duration.ofSeconds(10);
    /** How long a batch whose step failed waits before it is tried again. */
    private static final Duration RETRY = Duration.ofSeconds(2);
    /** How often batches past their retention are deleted. */
    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

    private final PostgresBatches batches;
    private final BatchSteps steps;
    private final Retention retention;
    private final Duration pollInterval;
    private final Duration lease;
    private final Duration expiryGrace;
    private final Clock clock;
    private final String owner = "runner-" + UUID.randomUUID();
    private final Semaphore woken = new Semaphore(0);
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ingest-batch-leases").daemon().factory());
    private final Thread thread;
    private volatile boolean running = true;
    private Instant nextPurge = Instant.MIN;

    BatchRunner(
            PostgresBatches batches,
            BatchSteps steps,
            Retention retention,
            Duration pollInterval,
            Duration lease,
            Duration expiryGrace,
            Clock clock) {
        this.batches = batches;
        this.steps = steps;
        this.retention = retention;
        this.pollInterval = pollInterval;
        this.lease = lease;
        this.expiryGrace = expiryGrace;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("ingest-batch-runner").daemon().unstarted(this::run);
    }

    /** Starts the loop over {@code parts}' batches. */
    public static BatchRunner start(RunnerParts parts) {
        BatchInputs inputs = new BatchInputs(parts.files(), parts.batches(), parts.limits(), parts.callbacks());
        BatchSteps steps = new BatchSteps(
                new Validation(
                        parts.files(), parts.batches(), inputs, new InputValidator(parts.maxLines()), parts.clock()),
                new Expansion(
                        inputs,
                        parts.batches(),
                        parts.lines(),
                        parts.settlements(),
                        parts.asks(),
                        parts.expansionChunk(),
                        parts.publishTimeout(),
                        parts.clock()),
                new Closing(
                        inputs,
                        parts.batches(),
                        parts.lines(),
                        parts.cancels(),
                        parts.expansionChunk(),
                        parts.publishTimeout(),
                        parts.clock()),
                new Finalization(
                        parts.batches(), parts.lines(), new OutputFiles(parts.files(), parts.lines()), parts.clock()),
                new BatchEvents(
                        parts.events(), parts.eventTopic(), parts.batches(), parts.publishTimeout(), parts.clock()),
                parts.expiryGrace(),
                parts.clock());
        BatchRunner runner = new BatchRunner(
                parts.batches(),
                steps,
                new Retention(parts.batches(), parts.lines()),
                parts.pollInterval(),
                parts.lease(),
                parts.expiryGrace(),
                parts.clock());
        runner.thread.start();
        return runner;
    }

    /** Looks for work at once rather than after the poll interval. */
    public void wake() {
        woken.release();
    }

    private void run() {
        while (running) {
            boolean worked = false;
            try {
                worked = next();
                purge();
            } catch (RuntimeException e) {
                LOG.warn("the batch runner could not look for work, retrying: {}", e.toString());
            }
            if (!worked) {
                try {
                    woken.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                    woken.drainPermits();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Leases and works on the next batch with work left; false when there is none. */
    boolean next() {
        Instant now = clock.instant();
        Optional<Batch> leased = batches.lease(now, now.minus(expiryGrace), owner, now.plus(lease));
        if (leased.isEmpty()) {
            return false;
        }
        Batch batch = leased.get();
        Duration retryAfter = Duration.ZERO;
        ScheduledFuture<?> renewal = renewals.scheduleWithFixedDelay(
                () -> renew(batch.id()), lease.toMillis() / 3, lease.toMillis() / 3, TimeUnit.MILLISECONDS);
        try {
            steps.next(batch, owner, now.plus(SLICE));
        } catch (LeaseLost e) {
            LOG.warn("{}: another runner goes on with it", e.getMessage());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return true;
        } catch (Exception e) {
            LOG.warn(
                    "batch {} ({}) could not take its next step, retrying: {}",
                    batch.id(),
                    batch.status(),
                    e.toString(),
                    e);
            retryAfter = RETRY;
        } finally {
            renewal.cancel(false);
        }
        // released: the batch leased longest ago comes first next, so every batch gets its turn
        batches.renew(batch.id(), owner, clock.instant().plus(retryAfter));
        return true;
    }

    private void renew(String id) {
        try {
            if (!batches.renew(id, owner, clock.instant().plus(lease))) {
                LOG.warn("the lease of batch {} was taken by another runner", id);
            }
        } catch (RuntimeException e) {
            LOG.warn("the lease of batch {} could not be renewed: {}", id, e.toString());
        }
    }

    private void purge() {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plus(PURGE_EVERY);
        int purged = retention.purge(now);
        if (purged > 0) {
            LOG.info("deleted {} batches past their retention", purged);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        renewals.shutdownNow();
    }
}
