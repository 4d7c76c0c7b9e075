package io.askpipe.drill.check;

import io.askpipe.drill.deploy.Target;
import io.askpipe.drill.load.BatchRun;
import io.askpipe.drill.load.BatchState;
import io.askpipe.drill.load.Load;
import io.askpipe.drill.load.WebhookReceiver;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;

/**
 * How far the deployment has got with a drill's asks (and its batch): shown every two seconds while
 * the drill runs, and waited on until every accepted ask is answered (and, with webhooks, delivered).
 */
public final class Progress {
    private final Target deployment;
    private final Load load;
    private final Optional<BatchRun> batch;
    private final WebhookReceiver receiver;
    private final int asks;
    private final boolean webhooks;
    private final long startedNanos;
    private final PrintStream out;

    /**
     * @param batch the drill's batch, if it runs one
     * @param asks the asks the drill submits
     * @param webhooks whether every ask carries a callback to {@code receiver}
     * @param startedNanos when the drill began ({@link System#nanoTime()})
     */
    public Progress(
            Target deployment,
            Load load,
            Optional<BatchRun> batch,
            WebhookReceiver receiver,
            int asks,
            boolean webhooks,
            long startedNanos,
            PrintStream out) {
        this.deployment = deployment;
        this.load = load;
        this.batch = batch;
        this.receiver = receiver;
        this.asks = asks;
        this.webhooks = webhooks;
        this.startedNanos = startedNanos;
        this.out = out;
    }

    /** Prints a progress line every two seconds until interrupted. */
    public Void show() throws InterruptedException {
        while (!Thread.currentThread().isInterrupted()) {
            Thread.sleep(2_000);
            out.printf(
                    "drill: %5.0f s  submitted %d/%d  accepted %d  answered %d  webhooks %d  restarts %d%s%n",
                    seconds(),
                    load.submittedCount(),
                    asks,
                    load.acceptedCount(),
                    StoreRows.answered(deployment, load.keyPrefix()),
                    receiver.distinct(),
                    deployment.services().stream().mapToInt(s -> s.starts() - 1).sum(),
                    batch.flatMap(BatchRun::state).map(Progress::batch).orElse(""));
        }
        return null;
    }

    /** Waits until every accepted ask has a terminal row and, with webhooks, a delivery; false if {@code timeout} passed first. */
    public boolean awaitAnswered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int accepted = load.acceptedCount();
            if (StoreRows.answered(deployment, load.keyPrefix()) >= accepted
                    && (!webhooks || receiver.distinct() >= accepted)) {
                out.printf("drill: %5.0f s  every accepted ask is answered%n", seconds());
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }

    /** The batch's part of a progress line: its status and counts. */
    private static String batch(BatchState state) {
        return String.format("  batch %s %d+%d/%d", state.status(), state.completed(), state.failed(), state.total());
    }

    private double seconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
