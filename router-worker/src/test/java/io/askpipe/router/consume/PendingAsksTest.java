package io.askpipe.router.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PendingAsksTest {
    private final PendingAsks<String> pending = new PendingAsks<>(100);

    private void add(Priority priority, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            pending.add(priority, prefix + i);
        }
    }

    /** Takes {@code count} asks as a loop with that many free slots would, no batch ask in flight. */
    private List<String> take(int count) {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pending.next(0).ifPresent(taken::add);
        }
        return taken;
    }

    @Test
    void startsInteractiveAsksFirstInTheOrderTheyCame() {
        add(Priority.BATCH, "b", 3);
        add(Priority.INTERACTIVE, "i", 3);

        assertThat(take(3)).containsExactly("i0", "i1", "i2");
        assertThat(take(3)).containsExactly("b0", "b1", "b2");
        assertThat(pending.next(0)).isEmpty();
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void givesBatchOneStartInTenWhileBothWait() {
        add(Priority.INTERACTIVE, "i", 100);
        add(Priority.BATCH, "b", 100);

        List<String> taken = take(40);

        assertThat(taken.stream().filter(ask -> ask.startsWith("b")))
                .as("batch is never starved: one start in %d", Priority.BATCH_ONE_IN)
                .containsExactly("b0", "b1", "b2", "b3");
        for (int i = 0; i < taken.size(); i += Priority.BATCH_ONE_IN) {
            List<String> round = taken.subList(i, i + Priority.BATCH_ONE_IN);
            assertThat(round.stream().filter(ask -> ask.startsWith("b"))).hasSize(1);
        }
        assertThat(taken.getFirst()).as("an interactive ask goes first").isEqualTo("i0");
        assertThat(pending.waiting(Priority.INTERACTIVE)).isEqualTo(64);
        assertThat(pending.waiting(Priority.BATCH)).isEqualTo(96);
    }

    @Test
    void givesBatchEverySlotWhenNoInteractiveAskWaits() {
        add(Priority.BATCH, "b", 5);

        assertThat(take(5)).containsExactly("b0", "b1", "b2", "b3", "b4");
    }

    @Test
    void keepsTenPercentOfTheSlotsForInteractiveAsks() {
        assertThat(PendingAsks.batchSlots(100)).isEqualTo(90);
        assertThat(PendingAsks.batchSlots(256)).isEqualTo(231);
        assertThat(PendingAsks.batchSlots(5)).as("at least one slot is kept").isEqualTo(4);
        assertThat(PendingAsks.batchSlots(1)).as("a single slot serves both").isEqualTo(1);
        add(Priority.BATCH, "b", 2);

        assertThat(pending.next(90)).as("batch holds its whole share").isEmpty();
        assertThat(pending.next(89)).contains("b0");
        pending.add(Priority.INTERACTIVE, "i0");
        assertThat(pending.next(90)).as("the reserve is for interactive asks").contains("i0");
    }

    @Test
    void batchAtItsShareDoesNotCountAsPassedOver() {
        add(Priority.INTERACTIVE, "i", 30);
        add(Priority.BATCH, "b", 2);
        for (int i = 0; i < 20; i++) {
            assertThat(pending.next(90))
                    .hasValueSatisfying(ask -> assertThat(ask).startsWith("i"));
        }

        // the share was full then: once it frees, batch waits its turn like any other
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < Priority.BATCH_ONE_IN; i++) {
            pending.next(0).ifPresent(taken::add);
        }
        assertThat(taken.getLast()).isEqualTo("b0");
        assertThat(taken.subList(0, Priority.BATCH_ONE_IN - 1)).allMatch(ask -> ask.startsWith("i"));
    }

    @Test
    void dropsTheAsksOfRevokedPartitions() {
        add(Priority.INTERACTIVE, "i", 2);
        add(Priority.BATCH, "b", 2);

        pending.removeIf(ask -> ask.endsWith("0"));

        assertThat(pending.waiting(Priority.INTERACTIVE)).isEqualTo(1);
        assertThat(pending.waiting(Priority.BATCH)).isEqualTo(1);
        assertThat(take(2)).containsExactly("i1", "b1");
        pending.add(Priority.BATCH, "b2");
        pending.clear();
        assertThat(pending.next(0)).isEqualTo(Optional.empty());
    }
}
