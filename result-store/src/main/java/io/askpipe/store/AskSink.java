package io.askpipe.store;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;

/** Where the topology writes each joined ask. Must be idempotent: Streams may write a record twice. */
@FunctionalInterface
interface AskSink {
    /**
     * Records {@code request} with its {@code result}; without one, as running when there is
     * {@code progress}, else as queued.
     */
    void write(AskRequest request, AskProgress progress, AskResult result);
}
