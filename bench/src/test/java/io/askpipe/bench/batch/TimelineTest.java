package io.askpipe.bench.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimelineTest {
    private final AtomicLong now = new AtomicLong();
    private final Timeline timeline = new Timeline(now::get);

    @Test
    void aPhaseRunsFromItsBeginToItsEnd() {
        now.set(10);
        timeline.begin("upload");
        now.set(25);
        timeline.end("upload");

        assertThat(timeline.phases()).containsExactly(new Timeline.Phase("upload", 10, 25));
        assertThat(timeline.phases().getFirst().seconds()).isEqualTo(15e-9);
    }

    @Test
    void aPhaseBegunOrEndedAgainKeepsItsFirstMoments() {
        now.set(10);
        timeline.begin("expanding");
        now.set(20);
        timeline.begin("expanding");
        timeline.end("expanding");
        now.set(30);
        timeline.end("expanding");
        timeline.begin("expanding"); // ended already: not begun anew

        assertThat(timeline.phases()).containsExactly(new Timeline.Phase("expanding", 10, 20));
        assertThat(timeline.isOpen("expanding")).isFalse();
    }

    @Test
    void anOpenPhaseIsNotAmongThePhases() {
        timeline.begin("run");

        assertThat(timeline.phases()).isEmpty();
        assertThat(timeline.isOpen("run")).isTrue();
    }
}
