package io.askpipe.ingest.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.JsonSerde;
import io.askpipe.schemas.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultWaitersTest {
    private static final JsonSerde<AskResult> SERDE = JsonSerde.of(AskResult.class);
    /** The bytes of one result: all the results here have the same size. */
    private static final int ONE = bytes("a").length;

    private static AskResult result(String id) {
        return AskResult.succeeded(id, "dryrun", "m", "a", Usage.of(1, 1), 1, 1, Instant.EPOCH);
    }

    /** The result of {@code id} as the topic holds it. */
    private static byte[] bytes(String id) {
        return SERDE.serializer().serialize("ask.results", result(id));
    }

    private static ResultWaiters remembering(int results) {
        return new ResultWaiters(
                (long) results * ONE, value -> SERDE.deserializer().deserialize("ask.results", value));
    }

    @Test
    void aWaiterGetsTheResultOnceItComes() {
        var waiters = remembering(4);
        var first = waiters.await("a");
        var second = waiters.await("a");
        assertThat(waiters.waiting()).isEqualTo(2);

        waiters.complete("b", bytes("b"));
        assertThat(first).isNotDone();
        waiters.complete("a", bytes("a"));

        assertThat(first).isCompletedWithValue(result("a"));
        assertThat(second).isCompletedWithValue(result("a"));
        assertThat(waiters.waiting()).isZero();
    }

    @Test
    void aWaiterThatComesLateFindsARecentResultButNotAForgottenOne() {
        var waiters = remembering(2);
        waiters.complete("a", bytes("a"));
        waiters.complete("b", bytes("b"));

        assertThat(waiters.await("a")).isCompletedWithValue(result("a"));

        waiters.complete("c", bytes("c"));
        assertThat(waiters.await("a"))
                .as("only the latest two results' bytes are remembered")
                .isNotDone();
        assertThat(waiters.await("c")).isCompletedWithValue(result("c"));
    }

    @Test
    void aWaiterThatGaveUpIsForgottenAndATombstoneIsIgnored() {
        var waiters = remembering(2);
        var gaveUp = waiters.await("a");
        waiters.forget("a", gaveUp);
        waiters.complete("a", null);

        assertThat(waiters.waiting()).isZero();
        waiters.complete("a", bytes("a"));
        assertThat(gaveUp).isNotDone();
    }

    @Test
    void aResultThatIsNotTerminalOrCannotBeReadLeavesItsWaitersWaiting() {
        var waiters = remembering(4);
        var waiter = waiters.await("a");

        waiters.complete("a", "{not json".getBytes(StandardCharsets.UTF_8));
        assertThat(waiter).isNotDone();
        assertThat(waiters.waiting()).isEqualTo(1);

        waiters.complete("a", bytes("a"));
        assertThat(waiter).isCompletedWithValue(result("a"));
    }
}
