package io.askpipe.common.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class KafkaNoiseTest {
    private final LoggerContext context = new LoggerContext();
    private final KafkaNoise filter = new KafkaNoise();

    private FilterReply warn(String logger, String format, Object... params) {
        Logger named = context.getLogger(logger);
        return filter.decide(null, named, Level.WARN, format, params, null);
    }

    @Test
    void dropsTheKnownWarningsOfKafkasOwnStartAndStop() {
        assertThat(warn(
                        "org.apache.kafka.clients.NetworkClient",
                        "[NodeToControllerChannelManager id=1 name=registration] Attempting to close NetworkClient"
                                + " that has already been closed."))
                .isEqualTo(FilterReply.DENY);
    }

    @Test
    void letsEveryOtherWarningThroughEvenOfTheSameLoggers() {
        assertThat(warn(
                        "org.apache.kafka.clients.NetworkClient",
                        "[Consumer clientId=c] The metadata response from the cluster reported a recoverable issue"
                                + " with correlation id {} : {}",
                        3,
                        "{ask.requests=UNKNOWN_TOPIC_OR_PARTITION}"))
                .as("one of askpipe's own topics missing is worth a warning")
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(warn(
                        "org.apache.kafka.clients.NetworkClient",
                        "reported a recoverable issue with correlation id {} : {}",
                        4,
                        "{x-repartition=UNKNOWN_TOPIC_OR_PARTITION, ask.results=LEADER_NOT_AVAILABLE}"))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(warn(
                        "org.apache.kafka.clients.NetworkClient",
                        "[Producer clientId=p] Attempting to close NetworkClient that has already been closed."))
                .as("a client of ours closed twice is our bug")
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(warn("org.apache.kafka.streams.StreamsConfig", "some other advice"))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(warn(
                        "io.askpipe.store.AskWriter",
                        "Processing exception handler is not enabled for the GlobalThread"))
                .isEqualTo(FilterReply.NEUTRAL);
    }
}
