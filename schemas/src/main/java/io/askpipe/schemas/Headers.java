package io.askpipe.schemas;

/** Names of the Kafka record headers askpipe sets. */
public final class Headers {
    /** The ask's request id, on every record that concerns one ask. */
    public static final String REQUEST_ID = "askpipe-request-id";

    /** The W3C trace context the client sent with the ask, on its ask and its result. */
    public static final String TRACEPARENT = "traceparent";

    /** On a dead-letter record: why the original could not be processed. */
    public static final String DLQ_ERROR = "askpipe-dlq-error";

    /** On a dead-letter record: topic, partition and offset of the original. */
    public static final String DLQ_SOURCE = "askpipe-dlq-source";

    private Headers() {}
}
