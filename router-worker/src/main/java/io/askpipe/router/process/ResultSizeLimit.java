package io.askpipe.router.process;

import io.askpipe.common.kafka.AskSizes;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a result to the size askpipe carries ({@link AskSizes#resultRecordBytes()}), so that it
 * always fits on {@code ask.results}. A larger one, which Kafka would refuse every time it was
 * published, becomes a permanent {@code upstream_invalid_response} failure that says why.
 * Thread-safe.
 */
final class ResultSizeLimit {
    private static final Logger LOG = LoggerFactory.getLogger(ResultSizeLimit.class);

    private final Topic<String, AskResult> topic;
    private final AskSizes sizes;

    ResultSizeLimit(Topic<String, AskResult> topic, AskSizes sizes) {
        this.topic = topic;
        this.sizes = sizes;
    }

    /** {@code result} if its record fits, else a failure of the same ask that says how large it was. */
    AskResult fit(AskResult result) {
        int bytes = topic.valueSerde().serializer().serialize(topic.name(), result).length;
        if (bytes <= sizes.resultRecordBytes()) {
            return result;
        }
        LOG.warn(
                "result of {} bytes is larger than the {} that ASK_MAX_BYTES={} allows; published as a failure",
                bytes,
                sizes.resultRecordBytes(),
                sizes.askMaxBytes());
        AskError error = new AskError(
                ErrorType.UPSTREAM_INVALID_RESPONSE,
                result.backend() + " answered with a result of " + bytes + " bytes, larger than the "
                        + sizes.resultRecordBytes() + " bytes askpipe carries");
        return AskResult.failed(
                result.reqId(),
                result.backend(),
                result.model(),
                error,
                result.latencyMs(),
                result.attempts(),
                result.completedAt());
    }
}
