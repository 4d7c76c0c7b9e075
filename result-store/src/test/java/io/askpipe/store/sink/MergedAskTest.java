package io.askpipe.store.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MergedAskTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private static AskRequest ask(String id, Instant acceptedAt) {
        return new AskRequest(id, "alice", "key-" + id, "prompt", null, null, acceptedAt);
    }

    @Test
    void partsAreMergedPerAskInRequestIdOrderAndTheLastOfEachKindCounts() {
        AskResult failed = AskResult.failed("b", "openai", "m", new AskError(ErrorType.TIMEOUT, "slow"), 9, 1, T0);
        AskResult succeeded = AskResult.succeeded("b", "dryrun", "m", "42", Usage.NONE, 1, 1, T0);
        AskProgress first = new AskProgress("b", "openai", T0);
        AskProgress second = new AskProgress("b", "llama", T0);

        var merged = MergedAsk.byRequestId(List.of(
                new AskPart.Result(failed),
                new AskPart.Progress(first),
                new AskPart.Request(ask("c", T0)),
                new AskPart.Request(ask("b", T0)),
                new AskPart.Progress(second),
                new AskPart.Result(succeeded)));

        assertThat(merged.keySet()).containsExactly("b", "c");
        assertThat(merged.get("b"))
                .isEqualTo(new MergedAsk("b", Optional.of(ask("b", T0)), Optional.of(second), Optional.of(succeeded)));
        assertThat(merged.get("c"))
                .isEqualTo(new MergedAsk("c", Optional.of(ask("c", T0)), Optional.empty(), Optional.empty()));
    }

    @Test
    void eachPartIsPastTheHorizonByItsOwnTime() {
        Instant horizon = T0.plusSeconds(10);
        AskRequest old = ask("a", T0);
        AskProgress started = new AskProgress("a", "dryrun", T0.plusSeconds(5));
        AskResult recent = AskResult.succeeded("a", "dryrun", "m", "42", Usage.NONE, 1, 1, T0.plusSeconds(20));
        MergedAsk ask = new MergedAsk("a", Optional.of(old), Optional.of(started), Optional.of(recent));

        assertThat(ask.anyBefore(horizon)).isTrue();
        assertThat(ask.without(horizon))
                .as("the request accepted and the progress started before the horizon go, the result stays")
                .isEqualTo(new MergedAsk("a", Optional.empty(), Optional.empty(), Optional.of(recent)));
        assertThat(ask.without(horizon).anyBefore(horizon)).isFalse();
        assertThat(new MergedAsk("a", Optional.of(old), Optional.empty(), Optional.empty())
                        .without(horizon)
                        .isEmpty())
                .isTrue();
        assertThat(ask.anyBefore(T0)).as("nothing before its own times").isFalse();
    }
}
