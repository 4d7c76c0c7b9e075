package io.askpipe.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.schemas.AskRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AcceptedMarksTest {
    private final List<CompletableFuture<Void>> marks = new CopyOnWriteArrayList<>();
    private final AcceptedMarks accepted = new AcceptedMarks(
            (AskLedger) Proxy.newProxyInstance(
                    AskLedger.class.getClassLoader(), new Class<?>[] {AskLedger.class}, (proxy, method, args) -> {
                        if (!method.getName().equals("acceptedLater")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        CompletableFuture<Void> mark = new CompletableFuture<>();
                        marks.add(mark);
                        return mark;
                    }),
            new SimpleMeterRegistry().timer("marked"));

    @Test
    void aSubmitDoesNotWaitForItsMarkUntilTooManyArePendingThenUntilItsDeadline() throws Exception {
        for (int i = 0; i < AcceptedMarks.MAX_PENDING; i++) {
            long started = System.nanoTime();
            accepted.mark(
                    ask("r" + i),
                    "POST",
                    "/v1/ask",
                    202,
                    "{}",
                    started + Duration.ofSeconds(5).toNanos());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        }
        assertThat(accepted.pending()).isEqualTo(AcceptedMarks.MAX_PENDING);

        long started = System.nanoTime();
        accepted.mark(
                ask("over"),
                "POST",
                "/v1/ask",
                202,
                "{}",
                started + Duration.ofMillis(300).toNanos());
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("one mark beyond the limit waits for its own mark, up to its deadline")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));

        Thread writer = Thread.ofVirtual().start(() -> {
            while (marks.size() < AcceptedMarks.MAX_PENDING + 2) {
                Thread.onSpinWait();
            }
            sleep(100);
            marks.getLast().complete(null);
        });
        long again = System.nanoTime();
        accepted.mark(
                ask("over-2"),
                "POST",
                "/v1/ask",
                202,
                "{}",
                again + Duration.ofSeconds(10).toNanos());
        assertThat(Duration.ofNanos(System.nanoTime() - again))
                .as("and returns once its own mark is written")
                .isBetween(Duration.ofMillis(100), Duration.ofSeconds(5));
        writer.join();

        marks.forEach(mark -> mark.complete(null));
        assertThat(accepted.pending()).isZero();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static AskRequest ask(String id) {
        return new AskRequest(id, "alice", "k-" + id, "hi", null, null, Instant.parse("2026-12-08T00:00:00Z"));
    }
}
