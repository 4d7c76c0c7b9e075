package io.askpipe.ingest.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Usage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultWaitersTest {
    private static AskResult result(String id) {
        return AskResult.succeeded(id, "dryrun", "m", "a", Usage.of(1, 1), 1, 1, Instant.EPOCH);
    }

    @Test
    void aWaiterGetsTheResultOnceItComes() {
        var waiters = new ResultWaiters(4);
        var first = waiters.await("a");
        var second = waiters.await("a");
        assertThat(waiters.waiting()).isEqualTo(2);

        waiters.complete(result("b"));
        assertThat(first).isNotDone();
        waiters.complete(result("a"));

        assertThat(first).isCompletedWithValue(result("a"));
        assertThat(second).isCompletedWithValue(result("a"));
        assertThat(waiters.waiting()).isZero();
    }

    @Test
    void aWaiterThatComesLateFindsARecentResultButNotAForgottenOne() {
        var waiters = new ResultWaiters(2);
        waiters.complete(result("a"));
        waiters.complete(result("b"));

        assertThat(waiters.await("a")).isCompletedWithValue(result("a"));

        waiters.complete(result("c"));
        assertThat(waiters.await("a")).as("only the latest two are remembered").isNotDone();
        assertThat(waiters.await("c")).isCompletedWithValue(result("c"));
    }

    @Test
    void aWaiterThatGaveUpIsForgottenAndATombstoneIsIgnored() {
        var waiters = new ResultWaiters(2);
        var gaveUp = waiters.await("a");
        waiters.forget("a", gaveUp);
        waiters.complete(null);

        assertThat(waiters.waiting()).isZero();
        waiters.complete(result("a"));
        assertThat(gaveUp).isNotDone();
    }
}
