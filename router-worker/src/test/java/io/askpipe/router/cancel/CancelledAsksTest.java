package io.askpipe.router.cancel;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.AskCancel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The first cancel of an ask is the one kept, and the only one that interrupts its run. */
class CancelledAsksTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private final CancelledAsks cancelled = new CancelledAsks(Duration.ofDays(1), Clock.fixed(NOW, ZoneOffset.UTC));
    private final RunningAsks running = new RunningAsks();

    private static AskCancel cancel(String requestId, Instant cancelledAt) {
        return new AskCancel(requestId, "alice", null, null, NOW.minusSeconds(60), cancelledAt);
    }

    @Test
    void aRepeatedCancelIsNotKeptAgain() {
        AskCancel first = cancel("r1", NOW.minusSeconds(10));

        assertThat(cancelled.add(first)).isTrue();
        assertThat(cancelled.add(cancel("r1", NOW.minusSeconds(5)))).isFalse();
        assertThat(cancelled.add(first)).as("the same record read again").isFalse();

        assertThat(cancelled.find("r1")).contains(first);
        assertThat(cancelled.size()).isEqualTo(1);
    }

    @Test
    void aCancelPastTheRetentionIsNotKept() {
        AskCancel old = new AskCancel("r1", "alice", null, null, NOW.minus(Duration.ofDays(2)), NOW);

        assertThat(cancelled.add(old)).isFalse();
        assertThat(cancelled.find("r1")).isEmpty();
    }

    @Test
    void onlyTheFirstCancelInterruptsTheRun() throws Exception {
        try (RunningAsks.Running run = running.start("r1")) {
            assertThat(CancelTail.interrupts(cancel("r1", NOW.minusSeconds(10)), cancelled, running))
                    .isTrue();
            assertThat(Thread.interrupted())
                    .as("the first cancel interrupts the run")
                    .isTrue();

            assertThat(CancelTail.interrupts(cancel("r1", NOW.minusSeconds(5)), cancelled, running))
                    .isFalse();
            assertThat(Thread.interrupted()).as("a repeated cancel does not").isFalse();
            assertThat(run.cancelled()).isTrue();
        }
    }
}
