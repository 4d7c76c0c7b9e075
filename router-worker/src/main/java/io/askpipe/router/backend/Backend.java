package io.askpipe.router.backend;

import java.util.Optional;

/**
 * An LLM backend. Implementations are thread-safe and called concurrently from many virtual
 * threads; a call blocks until the backend answers and must respond to interruption, which is how
 * the worker's time limit cancels it.
 */
public interface Backend {

    /** The registry name: {@code dryrun}, {@code openai}, {@code llama}. */
    String name();

    /** Calls the backend. Expected failures are returned as {@link BackendOutcome.Failed}. */
    BackendOutcome call(BackendCall call) throws InterruptedException;

    /**
     * Asks the vendor whether it answers, without calling a model (at start-up, when {@code
     * STARTUP_VENDOR_PINGS} is on): empty when it does, else what went wrong. A backend with no
     * vendor behind it always answers.
     */
    default Optional<String> ping() throws InterruptedException {
        return Optional.empty();
    }
}
