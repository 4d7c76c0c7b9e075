package io.askpipe.router.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.kafka.AskSizes;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Topics;
import io.askpipe.schemas.Usage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultSizeLimitTest {
    private static final Topics TOPICS = Topics.ofDefaults();
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final AskSizes SIZES = new AskSizes(1024);

    private final ResultSizeLimit limit = new ResultSizeLimit(TOPICS.results(), SIZES);

    private static AskResult answer(String text) {
        return AskResult.succeeded("r1", "dryrun", "dryrun-echo", text, Usage.of(1, 2), 3, 2, NOW);
    }

    private static int bytes(AskResult result) {
        return TOPICS.results().valueSerde().serializer().serialize("t", result).length;
    }

    @Test
    void aResultThatFitsIsPublishedAsItIs() {
        AskResult largestThatFits = answer("a".repeat(SIZES.resultRecordBytes() - bytes(answer(""))));
        assertThat(bytes(largestThatFits)).isEqualTo(SIZES.resultRecordBytes());

        assertThat(limit.fit(largestThatFits)).isSameAs(largestThatFits);
    }

    @Test
    void aResultTooLargeForKafkaBecomesAPermanentFailureOfTheSameAsk() {
        AskResult tooLarge = answer("a".repeat(SIZES.resultRecordBytes() - bytes(answer("")) + 1));

        AskResult fitted = limit.fit(tooLarge);

        assertThat(fitted.status()).isEqualTo(AskStatus.FAILED);
        assertThat(fitted.error().type()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(fitted.error().message())
                .contains(bytes(tooLarge) + " bytes")
                .contains(SIZES.resultRecordBytes() + " bytes");
        assertThat(fitted.reqId()).isEqualTo("r1");
        assertThat(fitted.backend()).isEqualTo("dryrun");
        assertThat(fitted.model()).isEqualTo("dryrun-echo");
        assertThat(fitted.attempts()).isEqualTo(2);
        assertThat(fitted.latencyMs()).isEqualTo(3);
        assertThat(fitted.completedAt()).isEqualTo(NOW);
        assertThat(bytes(fitted)).isLessThan(SIZES.resultRecordBytes());
    }
}
