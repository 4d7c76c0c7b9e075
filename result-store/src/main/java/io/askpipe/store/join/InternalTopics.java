package io.askpipe.store.join;

import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Raises the record size of the result store's existing Kafka Streams internal topics (its
 * repartition topic and changelogs, {@code <application.id>-...-repartition} and {@code
 * -changelog}) to what {@code ASK_MAX_BYTES} needs. Streams gives its topic settings ({@code
 * topic.max.message.bytes}) only to the internal topics it creates; one created before {@code
 * ASK_MAX_BYTES} was raised would refuse a large ask for ever and stall the join.
 */
public final class InternalTopics {
    private static final long TIMEOUT_SECONDS = 60;

    private InternalTopics() {}

    /** Raises the internal topics of {@code applicationId} that exist and take too small records. */
    public static void ensureRecordSize(KafkaSettings kafka, String applicationId) {
        try (Admin admin = Admin.create(kafka.clientProperties(applicationId + "-topics"))) {
            List<String> internal = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).stream()
                    .filter(topic -> isInternal(topic, applicationId))
                    .toList();
            TopicProvisioner.ensureRecordSize(admin, internal, kafka.sizes());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the result store's internal topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not list the result store's internal topics: " + e.getMessage(), e);
        }
    }

    /** Whether {@code topic} is one of the internal topics Kafka Streams makes for {@code applicationId}. */
    static boolean isInternal(String topic, String applicationId) {
        return topic.startsWith(applicationId + "-")
                && (topic.endsWith("-changelog") || topic.endsWith("-repartition"));
    }
}
