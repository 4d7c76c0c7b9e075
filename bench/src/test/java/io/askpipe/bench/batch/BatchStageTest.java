package io.askpipe.bench.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BatchStageTest {
    @Test
    void theCheckpointTellsExpandingFromDraining() {
        assertThat(BatchStage.of("validating", 0, 0)).isEqualTo(BatchStage.VALIDATING);
        assertThat(BatchStage.of("in_progress", 500, 1000)).isEqualTo(BatchStage.EXPANDING);
        assertThat(BatchStage.of("in_progress", 1000, 1000)).isEqualTo(BatchStage.DRAINING);
        assertThat(BatchStage.of("finalizing", 1000, 1000)).isEqualTo(BatchStage.FINALIZING);
        assertThat(BatchStage.of("completed", 1000, 1000)).isEqualTo(BatchStage.ENDED);
        assertThat(BatchStage.of("failed", 0, 1000)).isEqualTo(BatchStage.ENDED);
        assertThatThrownBy(() -> BatchStage.of("paused", 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStagePassedBetweenTwoReadsIsAPhaseOfNoLength() {
        AtomicLong now = new AtomicLong(10);
        Timeline timeline = new Timeline(now::get);

        BatchWatch.advance(timeline, BatchStage.VALIDATING);
        now.set(20);
        BatchWatch.advance(timeline, BatchStage.EXPANDING);
        now.set(30);
        BatchWatch.advance(timeline, BatchStage.FINALIZING); // draining passed unseen
        now.set(40);
        BatchWatch.advance(timeline, BatchStage.FINALIZING);
        now.set(50);
        BatchWatch.advance(timeline, BatchStage.ENDED);

        assertThat(timeline.phases())
                .containsExactly(
                        new Timeline.Phase("validating", 10, 20),
                        new Timeline.Phase("expanding", 20, 30),
                        new Timeline.Phase("draining", 30, 30),
                        new Timeline.Phase("finalizing", 30, 50));
    }
}
