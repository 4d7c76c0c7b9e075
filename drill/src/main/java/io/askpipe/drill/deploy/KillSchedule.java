package io.askpipe.drill.deploy;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The drill's {@code kill -9} schedule: a router worker (round robin) and the result store, each on
 * its own period, until the task is interrupted; the supervisor restarts whatever it kills.
 */
public final class KillSchedule implements Callable<Void> {
    private final Target deployment;
    private final Duration workerEvery;
    private final Duration storeEvery;
    private final PrintStream out;

    /** A zero period never kills. */
    public KillSchedule(Target deployment, Duration workerEvery, Duration storeEvery, PrintStream out) {
        this.deployment = deployment;
        this.workerEvery = workerEvery;
        this.storeEvery = storeEvery;
        this.out = out;
    }

    @Override
    public Void call() throws InterruptedException {
        long workerEveryMs = workerEvery.toMillis();
        long storeEveryMs = storeEvery.toMillis();
        if (workerEveryMs == 0 && storeEveryMs == 0) {
            return null;
        }
        long start = System.currentTimeMillis();
        long nextWorker = workerEveryMs == 0 ? Long.MAX_VALUE : start + workerEveryMs;
        long nextStore = storeEveryMs == 0 ? Long.MAX_VALUE : start + storeEveryMs;
        int victim = 0;
        while (!Thread.currentThread().isInterrupted()) {
            long now = System.currentTimeMillis();
            if (now >= nextWorker) {
                ServiceProcess worker =
                        deployment.workers().get(victim++ % deployment.workers().size());
                out.printf("drill: kill -9 %s%n", worker.name());
                worker.kill();
                nextWorker += workerEveryMs;
            }
            if (now >= nextStore) {
                ServiceProcess store = deployment.store().orElseThrow();
                out.printf("drill: kill -9 %s%n", store.name());
                store.kill();
                nextStore += storeEveryMs;
            }
            Thread.sleep(Math.max(10, Math.min(nextWorker, nextStore) - System.currentTimeMillis()));
        }
        return null;
    }
}
