package io.askpipe.store;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;

/** Where the topology writes each joined ask. Must be idempotent: Streams may write a record twice. */
@FunctionalInterface
interface AskSink {
    /** Records {@code request} with its {@code result}, or as queued when {@code result} is null. */
    void write(AskRequest request, AskResult result);
}
