package io.askpipe.router.backend.dryrun;

import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.Usage;
import java.time.Duration;

/**
 * A deterministic backend for development, tests, drills and benchmarks: it answers with an echo of
 * the prompt after a configurable latency, and counts whitespace-separated words as tokens.
 */
public final class DryrunBackend implements Backend {
    public static final String NAME = "dryrun";
    static final String DEFAULT_MODEL = "dryrun-echo";

    private final Duration latency;

    public DryrunBackend(Duration latency) {
        this.latency = latency;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendOutcome call(BackendCall call) throws InterruptedException {
        if (!latency.isZero()) {
            Thread.sleep(latency);
        }
        String model = call.model() == null ? DEFAULT_MODEL : call.model();
        String answer = "[dryrun] " + call.prompt();
        return new BackendOutcome.Completed(model, answer, Usage.of(words(call.prompt()), words(answer)));
    }

    private static int words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? 0 : stripped.split("\\s+").length;
    }
}
