package io.askpipe.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

    @Test
    void aLoneCallRunsAtOnceInABatchOfItsOwn() throws Exception {
        try (var batcher = new Batcher<Integer, String>("t", 1, 100, this::record)) {
            assertThat(batcher.call(7)).isEqualTo("#7");
        }
        assertThat(batches).containsExactly(List.of(7));
    }

    @Test
    void callsMadeWhileABatchRunsAllGoInTheNextOneUpToTheLimit() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        var batcher = new Batcher<Integer, String>("t", 1, 8, items -> {
            if (items.contains(0)) {
                firstRunning.countDown();
                release.await();
            }
            return record(items);
        });
        try (batcher) {
            CompletableFuture<String> first = batcher.submit(0);
            assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<String>> waiting = new ArrayList<>();
            for (int i = 1; i <= 12; i++) {
                waiting.add(batcher.submit(i));
            }
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("#0");
            for (int i = 1; i <= 12; i++) {
                assertThat(waiting.get(i - 1).get(10, TimeUnit.SECONDS))
                        .as("each call gets its own answer")
                        .isEqualTo("#" + i);
            }
        }
        assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3, 4, 5, 6, 7, 8), List.of(9, 10, 11, 12));
    }

    @Test
    void aBatchThatThrowsFailsEveryCallInItAndTheNextBatchRunsAsUsual() throws Exception {
        try (var batcher = new Batcher<Integer, String>("t", 1, 100, items -> {
            if (items.contains(-1)) {
                throw new IllegalArgumentException("no negatives");
            }
            return record(items);
        })) {
            assertThatThrownBy(() -> batcher.call(-1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no negatives");
            assertThat(batcher.call(3)).isEqualTo("#3");
        }
    }

    @Test
    void severalLanesRunBatchesSideBySide() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        try (var batcher = new Batcher<Integer, String>("t", 2, 100, items -> {
            bothRunning.countDown();
            assertThat(bothRunning.await(10, TimeUnit.SECONDS))
                    .as("the other lane runs meanwhile")
                    .isTrue();
            return record(items);
        })) {
            CompletableFuture<String> a = batcher.submit(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> bothRunning.getCount() == 1);
            CompletableFuture<String> b = batcher.submit(2);
            assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("#1");
            assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("#2");
        }
    }

    @Test
    void closingRunsWhatWasHandedInAndRefusesWhatComesAfter() throws Exception {
        var batcher = new Batcher<Integer, String>("t", 2, 100, items -> {
            Thread.sleep(50);
            return record(items);
        });
        List<CompletableFuture<String>> handedIn = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            handedIn.add(batcher.submit(i));
        }
        batcher.close();
        for (int i = 0; i < 20; i++) {
            assertThat(handedIn.get(i)).isCompletedWithValue("#" + i);
        }
        assertThatThrownBy(() -> batcher.submit(99).get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void aBoundedCallThatCannotBeAnsweredInTimeFailsWithATimeoutAndIsNotRunLater() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        var batcher = new Batcher<Integer, String>("t", 1, 100, items -> {
            if (items.contains(0)) {
                running.countDown();
                release.await(); // a database that does not answer
            }
            return record(items);
        });
        try (batcher) {
            CompletableFuture<String> stuck = batcher.submit(0);
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            long started = System.nanoTime();
            assertThatThrownBy(() -> batcher.call(1, Duration.ofMillis(300)))
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("the caller is answered at the bound, not when the lane is free")
                    .isLessThan(Duration.ofSeconds(5));
            release.countDown();
            assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo("#0");
            assertThat(batcher.call(2, Duration.ofSeconds(10))).isEqualTo("#2");
        }
        assertThat(batches)
                .as("the call that timed out while queued was dropped, not run for nobody")
                .containsExactly(List.of(0), List.of(2));
    }

    private List<String> record(List<Integer> items) {
        batches.add(List.copyOf(items));
        return items.stream().map(i -> "#" + i).toList();
    }
}
