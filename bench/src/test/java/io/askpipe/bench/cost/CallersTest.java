package io.askpipe.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallersTest {
    @Test
    void callsEachAskOfTheRangeOnceWithAtMostTheCallersInFlight() throws Exception {
        Set<Integer> called = ConcurrentHashMap.newKeySet();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Timings timings = new Timings();

        Callers.run(
                4,
                10,
                100,
                i -> {
                    most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    Thread.sleep(1);
                    assertThat(called.add(i)).isTrue();
                    inFlight.decrementAndGet();
                },
                timings);

        assertThat(called).hasSize(100).allMatch(i -> i >= 10 && i < 110);
        assertThat(most.get()).isBetween(2, 4);
        assertThat(timings.count()).isEqualTo(100);
    }

    @Test
    void aFailedCallFailsTheRun() {
        assertThatThrownBy(() -> Callers.run(
                        2,
                        0,
                        50,
                        i -> {
                            if (i == 7) {
                                throw new IllegalStateException("ask 7 failed");
                            }
                        },
                        new Timings()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("ask 7 failed");
    }
}
