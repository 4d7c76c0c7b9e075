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

    private static final List<Known> KNOWN = List.of(new Known(
            "org.apache.kafka.clients.NetworkClient",
            message -> message.contains("NodeToControllerChannelManager")
                    && message.contains("Attempting to close NetworkClient that has already been closed")));

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
