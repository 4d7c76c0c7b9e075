package io.askpipe.router.cancel;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The asks whose backend work runs on this worker right now, by request id, each with the thread it
 * runs on: a cancel interrupts that thread, which ends a backend call, a retry's backoff or a wait
 * for a permit wherever it is. Thread-safe.
 */
public final class RunningAsks {
    /** Usually one per id; two when a redelivery runs an ask beside its first run. */
    private final Map<String, Set<Running>> byId = new ConcurrentHashMap<>();

    /** Registers the calling thread as running the ask {@code requestId} until the returned one is closed. */
    public Running start(String requestId) {
        Running running = new Running(requestId, Thread.currentThread());
        byId.computeIfAbsent(requestId, id -> ConcurrentHashMap.newKeySet()).add(running);
        return running;
    }

    /** Interrupts every run of the ask {@code requestId} on this worker; returns how many. */
    int cancel(String requestId) {
        Set<Running> runs = byId.get(requestId);
        if (runs == null) {
            return 0;
        }
        int cancelled = 0;
        for (Running running : runs) {
            if (running.cancel()) {
                cancelled++;
            }
        }
        return cancelled;
    }

    /** How many asks run right now. */
    int size() {
        return byId.values().stream().mapToInt(Set::size).sum();
    }

    private void remove(Running running) {
        byId.computeIfPresent(running.requestId, (id, runs) -> {
            runs.remove(running);
            return runs.isEmpty() ? null : runs;
        });
    }

    /**
     * One run of an ask on its thread. A cancel interrupts the thread only while the run is open;
     * {@link #close()} ends that, and clears an interrupt a cancel left behind, so the thread goes
     * on to keep and publish the ask's result uninterrupted.
     */
    public final class Running implements AutoCloseable {
        private final String requestId;
        private final Thread thread;
        private boolean open = true;
        private boolean cancelled;

        private Running(String requestId, Thread thread) {
            this.requestId = requestId;
            this.thread = thread;
        }

        private synchronized boolean cancel() {
            if (!open) {
                return false;
            }
            cancelled = true;
            thread.interrupt();
            return true;
        }

        /** Whether a cancel interrupted this run. */
        public synchronized boolean cancelled() {
            return cancelled;
        }

        /** Ends the run: no cancel interrupts its thread any more. Call on the run's thread. */
        @Override
        public void close() {
            boolean interruptedByCancel;
            synchronized (this) {
                open = false;
                interruptedByCancel = cancelled;
            }
            if (interruptedByCancel) {
                Thread.interrupted(); // the cancel's interrupt is spent: what follows must not see it
            }
            remove(this);
        }
    }
}
