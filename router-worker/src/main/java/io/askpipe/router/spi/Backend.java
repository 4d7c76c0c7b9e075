package io.askpipe.router.spi;

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
}
