package io.askpipe.router.process;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes, every hour, the results in {@code router.results} that completed longer than the
 * retention period ago. Every worker runs it; they delete alike.
 */
public final class ResultPurge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultPurge.class);
    static final int BATCH = 1_000;

    private final RouterResults results;
    private final Duration retention;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("askpipe-router-purge").daemon().factory());

    private ResultPurge(RouterResults results, Duration retention, Clock clock) {
        this.results = results;
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * Purges {@code results} of what completed longer than {@code retention} before {@code clock}'s
     * now: first in a minute, then hourly.
     */
    public static ResultPurge start(RouterResults results, Duration retention, Clock clock) {
        ResultPurge purge = new ResultPurge(results, retention, clock);
        purge.scheduler.scheduleWithFixedDelay(purge::purgeExpired, 1, 60, TimeUnit.MINUTES);
        return purge;
    }

    /**
     * Deletes the results completed longer than the retention period ago, in batches; never
     * throws: what failed is tried again at the next run.
     */
    void purgeExpired() {
        try {
            Instant cutoff = clock.instant().minus(retention);
            int total = 0;
            int batch;
            do {
                batch = results.purgeCompletedBefore(cutoff, BATCH);
                total += batch;
            } while (batch == BATCH);
            if (total > 0) {
                LOG.info("purged {} results completed before {}", total, cutoff);
            }
        } catch (RuntimeException e) {
            LOG.warn("purging expired results failed, retrying in an hour: {}", e.toString());
        }
    }

    /** Stops purging; a run under way is interrupted. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
