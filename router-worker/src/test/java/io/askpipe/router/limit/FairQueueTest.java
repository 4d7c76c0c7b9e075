package io.askpipe.router.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.askpipe.schemas.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FairQueueTest {
    private final FairQueue queue = new FairQueue();

    /** Serves the queue to the end, head by head, and returns who was served, in order. */
    private List<String> drain() {
        List<String> served = new ArrayList<>();
        while (queue.head().isPresent()) {
            FairQueue.Ticket head = queue.head().orElseThrow();
            served.add(head.priority().wireName().charAt(0) + ":" + head.user());
            queue.granted(head);
        }
        return served;
    }

    @Test
    void servesInteractiveAsksBeforeBatchAsks() {
        queue.enter(Priority.BATCH, "b");
        queue.enter(Priority.INTERACTIVE, "a");
        queue.enter(Priority.INTERACTIVE, "a");

        assertThat(drain()).containsExactly("i:a", "i:a", "b:b");
    }

    @Test
    void givesAWaitingBatchAskOneGrantInBatchOneIn() {
        for (int i = 0; i < 30; i++) {
            queue.enter(Priority.INTERACTIVE, "i" + i);
        }
        for (int i = 0; i < 3; i++) {
            queue.enter(Priority.BATCH, "b" + i);
        }

        List<String> served = drain();

        assertThat(served).hasSize(33);
        assertThat(served.subList(0, Priority.BATCH_ONE_IN))
                .as("one grant in %d goes to batch while interactive asks wait", Priority.BATCH_ONE_IN)
                .containsOnlyOnce("b:b0");
        assertThat(served.indexOf("b:b0")).isEqualTo(Priority.BATCH_ONE_IN - 1);
        assertThat(served.indexOf("b:b1")).isEqualTo(2 * Priority.BATCH_ONE_IN - 1);
        assertThat(served.indexOf("b:b2")).isEqualTo(3 * Priority.BATCH_ONE_IN - 1);
    }

    @Test
    void takesTurnsAcrossUsersSoThatOneUsersBurstDoesNotHoldBackAnother() {
        for (int i = 0; i < 5; i++) {
            queue.enter(Priority.INTERACTIVE, "burst");
        }
        queue.enter(Priority.INTERACTIVE, "other");
        queue.enter(Priority.INTERACTIVE, "third");
        queue.enter(Priority.INTERACTIVE, "other");

        assertThat(drain())
                .containsExactly(
                        "i:burst", "i:other", "i:third", "i:burst", "i:other", "i:burst", "i:burst", "i:burst");
    }

    @Test
    void anAskThatLeavesUnservedKeepsItsUsersPlace() {
        FairQueue.Ticket first = queue.enter(Priority.INTERACTIVE, "a");
        queue.enter(Priority.INTERACTIVE, "a");
        queue.enter(Priority.INTERACTIVE, "b");

        queue.leave(first);

        assertThat(drain()).containsExactly("i:a", "i:b");
        assertThat(queue.size()).isZero();
    }

    @Test
    void aWaiterWakesWhenItBecomesTheHead() throws Exception {
        FairQueue.Ticket first = queue.enter(Priority.INTERACTIVE, "a");
        FairQueue.Ticket second = queue.enter(Priority.INTERACTIVE, "b");
        CompletableFuture<Boolean> turn = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.awaitHead(second, Optional.empty());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(turn).isNotDone();

        queue.granted(first);

        assertThat(turn.get()).isTrue();
    }

    @Test
    void aWaitEndsUnservedAtTheAsksDeadline() throws Exception {
        queue.enter(Priority.INTERACTIVE, "a");
        FairQueue.Ticket late = queue.enter(Priority.INTERACTIVE, "b");

        boolean turn = queue.awaitHead(
                late, Optional.of(System.nanoTime() + Duration.ofMillis(100).toNanos()));

        assertThat(turn).isFalse();
        assertThat(queue.size()).as("the ask left the queue").isEqualTo(1);
    }

    @Test
    void aWaitIsInterruptible() throws Exception {
        queue.enter(Priority.INTERACTIVE, "a");
        FairQueue.Ticket waiting = queue.enter(Priority.INTERACTIVE, "b");
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                queue.awaitHead(waiting, Optional.empty());
            } catch (InterruptedException e) {
                ended.set(e);
            } finally {
                queue.leave(waiting);
            }
        });
        Thread.sleep(50);

        thread.interrupt();

        await().atMost(Duration.ofSeconds(5)).until(() -> ended.get() != null);
        assertThat(ended.get()).isInstanceOf(InterruptedException.class);
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void theHeadsSleepIsCutShortWhenTheQueueChanges() throws Exception {
        FairQueue.Ticket head = queue.enter(Priority.BATCH, "a");
        long started = System.nanoTime();
        CompletableFuture<Boolean> slept = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.sleep(Duration.ofSeconds(30).toNanos(), Optional.empty());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);

        queue.enter(Priority.INTERACTIVE, "b");

        assertThat(slept.get()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(queue.head().orElseThrow())
                .as("the interactive arrival goes first")
                .isNotSameAs(head);
    }

    @Test
    void aDeadlineInThePastEndsTheWaitAtOnce() {
        FairQueue.Ticket head = queue.enter(Priority.INTERACTIVE, "a");

        assertThatThrownBy(() -> {
                    if (!queue.sleep(1_000_000, Optional.of(System.nanoTime() - 1))) {
                        throw new IllegalStateException("deadline");
                    }
                })
                .hasMessage("deadline");
        queue.leave(head);
        assertThat(queue.size()).isZero();
    }

    @Test
    void closingEndsEveryWait() throws Exception {
        queue.enter(Priority.INTERACTIVE, "a");
        FairQueue.Ticket waiting = queue.enter(Priority.INTERACTIVE, "b");
        CompletableFuture<Throwable> ended = CompletableFuture.supplyAsync(() -> {
            try {
                queue.awaitHead(waiting, Optional.empty());
                return null;
            } catch (InterruptedException e) {
                return e;
            }
        });
        Thread.sleep(50);

        queue.close();

        assertThat(ended.get()).isInstanceOf(InterruptedException.class);
    }
}
