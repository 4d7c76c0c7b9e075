package io.askpipe.store.sink;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import java.util.Objects;

/**
 * One record the result store reads about an ask, from the topic that carries its kind: the ask's
 * request, a worker's start on it, or its result. Each carries the ask's request id, whatever the
 * record's key, so that {@link AskRepository#write} joins the parts of an ask in {@code
 * store.asks} in whichever order they come (docs/adr/0031).
 */
public sealed interface AskPart {

    /** The request id of the ask this part belongs to. */
    String requestId();

    /** The accepted ask, from {@code ask.requests} or {@code ask.requests.batch}. */
    record Request(AskRequest request) implements AskPart {
        public Request {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public String requestId() {
            return request.requestId();
        }
    }

    /** A worker's start on the ask, from {@code ask.progress}. */
    record Progress(AskProgress progress) implements AskPart {
        public Progress {
            Objects.requireNonNull(progress, "progress");
        }

        @Override
        public String requestId() {
            return progress.reqId();
        }
    }

    /** The ask's result, from {@code ask.results}. */
    record Result(AskResult result) implements AskPart {
        public Result {
            Objects.requireNonNull(result, "result");
        }

        @Override
        public String requestId() {
            return result.reqId();
        }
    }
}
