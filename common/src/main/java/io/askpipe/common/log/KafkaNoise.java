package io.askpipe.common.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Drops the few warnings that Kafka's own code logs on every normal start or stop of askpipe and
 * that no setting of ours can prevent (logback.xml installs it). Each is matched by its logger and
 * its words, never a whole logger, so that every other warning of the same class still shows:
 *
 * <ul>
 *   <li>{@code StreamsConfig}: "Processing exception handler is not enabled for the GlobalThread".
 *       The result store enables it ({@code processing.exception.handler.global.enabled}); Kafka
 *       Streams 4.4 warns anyway, from a copy of the configuration it makes without that setting.
 *   <li>{@code NetworkClient}: a metadata response with {@code UNKNOWN_TOPIC_OR_PARTITION} for a
 *       Streams {@code -repartition} topic. Streams subscribes its consumer to its repartition topic
 *       before the group's leader creates it in the first rebalance; the next metadata has it.
 *   <li>{@code NetworkClient}: "Attempting to close NetworkClient that has already been closed"
 *       from the embedded broker's {@code NodeToControllerChannelManager}, which closes its client
 *       twice while the broker shuts down.
 * </ul>
 *
 * Thread-safe: it holds no state.
 */
public final class KafkaNoise extends TurboFilter {
    /** A warning to drop: its logger's name and a test of its formatted message. */
    private record Known(String logger, Predicate<String> message) {}

    private static final List<Known> KNOWN = List.of(
            new Known(
                    "org.apache.kafka.streams.StreamsConfig",
                    message -> message.startsWith("Processing exception handler is not enabled for the GlobalThread")),
            new Known(
                    "org.apache.kafka.clients.NetworkClient",
                    message ->
                            message.contains("reported a recoverable issue") && onlyRepartitionTopicsUnknown(message)),
            new Known(
                    "org.apache.kafka.clients.NetworkClient",
                    message -> message.contains("NodeToControllerChannelManager")
                            && message.contains("Attempting to close NetworkClient that has already been closed")));

    /** Whether the topics a metadata warning lists ({@code {t1=ERROR, ...}}) are all unknown repartition topics. */
    static boolean onlyRepartitionTopicsUnknown(String message) {
        int open = message.lastIndexOf('{');
        int close = message.lastIndexOf('}');
        if (open < 0 || close < open + 2) {
            return false;
        }
        for (String entry : message.substring(open + 1, close).split(",")) {
            String trimmed = entry.strip();
            if (!trimmed.endsWith("-repartition=UNKNOWN_TOPIC_OR_PARTITION")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level != Level.WARN || format == null) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        String message = null;
        for (Known known : KNOWN) {
            if (known.logger().equals(name)) {
                if (message == null) {
                    message = MessageFormatter.arrayFormat(format, params).getMessage();
                }
                if (known.message().test(message)) {
                    return FilterReply.DENY;
                }
            }
        }
        return FilterReply.NEUTRAL;
    }
}
