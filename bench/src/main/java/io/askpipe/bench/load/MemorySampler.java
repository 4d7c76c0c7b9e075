package io.askpipe.bench.load;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the stack's memory every half second on a thread of its own, keeping the peaks: of the
 * stack's JVM, of the broker's when it runs apart, and of all of them with PostgreSQL.
 */
final class MemorySampler implements AutoCloseable {
    private final StackProcess stack;
    private final AtomicLong jvmPeak = new AtomicLong();
    private final AtomicLong brokerPeak = new AtomicLong();
    private final AtomicLong totalPeak = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    MemorySampler(StackProcess stack) {
        this.stack = stack;
        thread = Thread.ofPlatform().daemon().name("memory-sampler").start(() -> {
            while (running.get()) {
                jvmPeak.accumulateAndGet(stack.jvmMemory(), Math::max);
                stack.brokerMemory().ifPresent(broker -> brokerPeak.accumulateAndGet(broker, Math::max));
                totalPeak.accumulateAndGet(stack.totalMemory(), Math::max);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The peaks so far. */
    AskLoadResult.Memory peaks() {
        return new AskLoadResult.Memory(
                jvmPeak.get(),
                totalPeak.get(),
                stack.placement().split() ? OptionalLong.of(brokerPeak.get()) : OptionalLong.empty());
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
    }
}
