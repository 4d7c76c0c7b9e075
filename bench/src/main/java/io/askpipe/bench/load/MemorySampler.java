package io.askpipe.bench.load;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Samples the stack's memory every half second on a thread of its own, keeping the peaks. */
final class MemorySampler implements AutoCloseable {
    private final AtomicLong jvmPeak = new AtomicLong();
    private final AtomicLong totalPeak = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    MemorySampler(StackProcess stack) {
        thread = Thread.ofPlatform().daemon().name("memory-sampler").start(() -> {
            while (running.get()) {
                jvmPeak.accumulateAndGet(stack.jvmMemory(), Math::max);
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
        return new AskLoadResult.Memory(jvmPeak.get(), totalPeak.get());
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
    }
}
