package io.askpipe.schemas;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The registry of askpipe's topics. Names carry an optional prefix so that several deployments
 * (or tests) can share one cluster.
 *
 * @param requests accepted asks of {@link Priority#INTERACTIVE} priority, compacted, keyed by
 *     request id (older records: by idempotency scope)
 * @param batchRequests accepted asks of {@link Priority#BATCH} priority: the same key, value and
 *     configuration as {@code requests}, apart so that a batch backlog never sits in front of an
 *     interactive ask in a partition (docs/adr/0028)
 * @param results standardized results, compacted, keyed by request id
 * @param progress workers starting on asks, keyed by request id, kept for a day
 * @param cancels cancels of asks by their owners, compacted, keyed by request id: every router
 *     worker reads them all (docs/adr/0027-cancellation.md)
 * @param batchEvents batches that reached a terminal status, keyed by batch id, for the result
 *     store to deliver as webhooks (docs/adr/0030-batches-as-asks.md)
 * @param requestsDeadLetter records from {@code ask.requests} that could not be read
 * @param storeDeadLetter records the result store could not read, from either input topic
 */
public record Topics(
        Topic<String, AskRequest> requests,
        Topic<String, AskRequest> batchRequests,
        Topic<String, AskResult> results,
        Topic<String, AskProgress> progress,
        Topic<String, AskCancel> cancels,
        Topic<String, BatchEvent> batchEvents,
        Topic<byte[], byte[]> requestsDeadLetter,
        Topic<byte[], byte[]> storeDeadLetter) {

    public static final String REQUESTS = "ask.requests";
    public static final String BATCH_REQUESTS = "ask.requests.batch";
    public static final String RESULTS = "ask.results";
    public static final String PROGRESS = "ask.progress";
    public static final String CANCELS = "ask.cancels";
    public static final String BATCH_EVENTS = "ask.batch.events";
    public static final String DEAD_LETTER_SUFFIX = ".dlq";
    public static final String STORE_DEAD_LETTER = "ask.store.dlq";

    private static final Map<String, String> COMPACTED = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT,
            // keep a tombstone long enough for a slow consumer to see it
            TopicConfig.DELETE_RETENTION_MS_CONFIG,
            String.valueOf(24 * 3600 * 1000L));
    /** Progress only matters while the ask runs: a day is plenty. */
    private static final Map<String, String> SHORT_LIVED = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG,
            String.valueOf(24 * 3600 * 1000L));

    private static final Map<String, String> DEAD_LETTER = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG,
            String.valueOf(14 * 24 * 3600 * 1000L));

    /** The topics with their plain names. */
    public static Topics ofDefaults() {
        return withPrefix("");
    }

    /** The topics with every name prefixed by {@code prefix}. */
    public static Topics withPrefix(String prefix) {
        return new Topics(
                new Topic<>(prefix + REQUESTS, Serdes.String(), JsonSerde.of(AskRequest.class), COMPACTED),
                new Topic<>(prefix + BATCH_REQUESTS, Serdes.String(), JsonSerde.of(AskRequest.class), COMPACTED),
                new Topic<>(prefix + RESULTS, Serdes.String(), JsonSerde.of(AskResult.class), COMPACTED),
                new Topic<>(prefix + PROGRESS, Serdes.String(), JsonSerde.of(AskProgress.class), SHORT_LIVED),
                new Topic<>(prefix + CANCELS, Serdes.String(), JsonSerde.of(AskCancel.class), COMPACTED),
                new Topic<>(prefix + BATCH_EVENTS, Serdes.String(), JsonSerde.of(BatchEvent.class), COMPACTED),
                new Topic<>(
                        prefix + REQUESTS + DEAD_LETTER_SUFFIX, Serdes.ByteArray(), Serdes.ByteArray(), DEAD_LETTER),
                new Topic<>(prefix + STORE_DEAD_LETTER, Serdes.ByteArray(), Serdes.ByteArray(), DEAD_LETTER));
    }

    /** The topic that carries asks of {@code priority}. */
    public Topic<String, AskRequest> requests(Priority priority) {
        return switch (priority) {
            case INTERACTIVE -> requests;
            case BATCH -> batchRequests;
        };
    }

    /**
     * Every topic of accepted asks, interactive first: whatever reads the asks (the router, the
     * result store's writer, replays, purges) reads all of them.
     */
    public List<Topic<String, AskRequest>> allRequests() {
        return List.of(requests, batchRequests);
    }

    /** The names of {@link #allRequests()}. */
    public List<String> allRequestNames() {
        return allRequests().stream().map(Topic::name).toList();
    }

    /** Every topic, in the order they are created. */
    public List<Topic<?, ?>> all() {
        return List.of(
                requests, batchRequests, results, progress, cancels, batchEvents, requestsDeadLetter, storeDeadLetter);
    }
}
