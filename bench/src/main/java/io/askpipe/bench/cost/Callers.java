package io.askpipe.bench.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of callers, each a virtual thread that makes one blocking call after another, as
 * the asks in flight in a service call a shared {@code Batcher}: the batcher groups the calls that
 * wait at one moment, as it does in production. Each call is timed from its start to its return.
 */
final class Callers {
    /** One blocking call for ask {@code index}. */
    @FunctionalInterface
    interface Call {
        void run(int index) throws Exception;
    }

    private Callers() {}

    /**
     * Makes {@code call} for asks {@code first} to {@code first + count - 1} with {@code callers} of
     * them in flight at once, recording each one's duration; returns when all have returned, and
     * throws what the first that failed threw.
     */
    static void run(int callers, int first, int count, Call call, Timings timings) throws Exception {
        AtomicInteger next = new AtomicInteger(first);
        int end = first + count;
        List<Future<?>> running = new ArrayList<>(callers);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < Math.min(callers, count); c++) {
                running.add(threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < end; i = next.getAndIncrement()) {
                        long started = System.nanoTime();
                        call.run(i);
                        timings.add(System.nanoTime() - started);
                    }
                    return null;
                }));
            }
            for (Future<?> caller : running) {
                try {
                    caller.get();
                } catch (ExecutionException e) {
                    next.set(end); // the others stop after their current call
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
    }
}
