package io.askpipe.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private static Instant at(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    @Test
    void aLoadStandsForTheTimeBackToTheRoundBeforeIt() {
        ThreadCpu cpu = new ThreadCpu();
        cpu.load(at(10), 1, "busy", 0.5);
        cpu.load(at(10), 2, "other", 0.1);
        // no event for "busy" at 20 s: it used less than 1 ms since 10 s
        cpu.load(at(20), 2, "other", 0.1);
        cpu.load(at(20), 3, "third", 0.1);
        cpu.load(at(30), 1, "busy", 0.25);
        cpu.load(at(30), 2, "other", 0.1);

        // 0.5 of 2 processors for the 10 s since the recording began, 0.25 for the 10 s since the round at 20 s
        assertThat(cpu.seconds("busy"::equals, at(0), 2))
                .hasValueSatisfying(s -> assertThat(s).isCloseTo(15.0, within(1e-9)));
        assertThat(cpu.seconds(name -> true, at(0), 2))
                .hasValueSatisfying(s -> assertThat(s).isCloseTo(23.0, within(1e-9)));
        assertThat(cpu.seconds("absent"::equals, at(0), 2)).isEmpty();
    }

    @Test
    void aThreadStartedSinceTheRoundBeforeCountsFromItsStart() {
        ThreadCpu cpu = new ThreadCpu();
        cpu.load(at(10), 1, "old", 0.1);
        cpu.load(at(10), 2, "other", 0.1);
        cpu.started(3, at(18));
        cpu.load(at(20), 1, "old", 0.1);
        cpu.load(at(20), 3, "young", 0.5);
        // a thread's last load, written as it ends, between rounds
        cpu.load(at(24), 3, "young", 0.5);

        // 0.5 of 4 processors for the 2 s since its start, then for the 4 s since the round at 20 s
        assertThat(cpu.seconds("young"::equals, at(0), 4))
                .hasValueSatisfying(s -> assertThat(s).isCloseTo(12.0, within(1e-9)));
    }
}
