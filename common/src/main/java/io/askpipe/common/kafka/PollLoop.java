package io.askpipe.common.kafka;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread of its own that polls one consumer until closed and hands each poll's records to a
 * step. A record the consumer cannot read is skipped, saying where; any other failure (a broker
 * away, a commit refused after a rebalance) is taken as transient: logged, and the loop polls
 * again after a pause, so that what was not committed is read again. An interrupt or {@link
 * #close} stops it; it closes the consumer as it ends.
 */
public final class PollLoop<K, V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

    /** What a loop does with one poll's records, which may be none. */
    @FunctionalInterface
    public interface Step<K, V> {
        /**
         * @param running false once the loop is asked to stop, for a step that retries (e.g.
         *     {@link io.askpipe.common.retry.Backoff#untilDone}) to give up
         */
        void accept(ConsumerRecords<K, V> records, BooleanSupplier running) throws InterruptedException;
    }

    private final Consumer<K, V> consumer;
    private final Duration poll;
    private final String what;
    private final Step<K, V> step;
    private final Thread thread;
    private volatile boolean running = true;

    private PollLoop(String thread, Consumer<K, V> consumer, Duration poll, String what, Step<K, V> step) {
        this.consumer = consumer;
        this.poll = poll;
        this.what = what;
        this.step = step;
        this.thread = Thread.ofPlatform().name(thread).daemon().unstarted(this::run);
        this.thread.setUncaughtExceptionHandler((t, e) -> LOG.error("{} died", what, e));
    }

    /**
     * Starts polling {@code consumer}, already subscribed or assigned, every {@code poll} at most,
     * on a thread named {@code thread}; {@code what} says in logs what the loop does (e.g. "reading
     * the cancels").
     */
    public static <K, V> PollLoop<K, V> start(
            String thread, Consumer<K, V> consumer, Duration poll, String what, Step<K, V> step) {
        PollLoop<K, V> loop = new PollLoop<>(thread, consumer, poll, what, step);
        loop.thread.start();
        return loop;
    }

    private void run() {
        BooleanSupplier isRunning = () -> running;
        try {
            while (running) {
                try {
                    step.accept(consumer.poll(poll), isRunning);
                } catch (RecordDeserializationException e) {
                    LOG.warn(
                            "{}: skipping the unreadable record at {} offset {}: {}",
                            what,
                            e.topicPartition(),
                            e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    // close() asked us to stop
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.warn("{} failed, retrying: {}", what, e.toString());
                        Thread.sleep(poll);
                    }
                }
            }
        } catch (InterruptedException e) {
            // stopping: what was not committed is read again
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Stops the loop and waits for it to close its consumer. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
