package io.askpipe.router.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The limits' parts on the real database: tokens settled, model limits, slots, interruption. */
class SharedLimitsIT {
    private static final Waiter ALICE = new Waiter(Priority.INTERACTIVE, "alice");

    private DatabaseSettings database;
    private HikariDataSource dataSource;
    private ProviderLimits limits;

    @BeforeEach
    void setUp() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String name = SharedInfrastructure.uniqueName("limits");
        database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        dataSource = database.migratedDataSource("test", "router");
    }

    @AfterEach
    void tearDown() {
        if (limits != null) {
            limits.close();
        }
        dataSource.close();
    }

    private ProviderLimits limits(Map<String, String> env) {
        limits = ProviderLimits.start(
                LimitSettings.fromEnv(Env.of(env), List.of("openai")),
                dataSource,
                database,
                new SimpleMeterRegistry(),
                Clock.systemUTC());
        return limits;
    }

    private static BackendCall call(String model, int maxTokens) {
        return new BackendCall(
                "r",
                ChatRequest.builder(List.of(ChatMessage.user("hi")))
                        .maxTokens(maxTokens)
                        .build(),
                model);
    }

    private static Optional<Long> in(Duration duration) {
        return Optional.of(System.nanoTime() + duration.toNanos());
    }

    @Test
    void tokensAnAnswerDidNotUseGoBackToTheBucket() throws Exception {
        // 6000 a minute: the bucket holds 100
        ProviderLimits limits = limits(Map.of("OPENAI_TPM", "6000"));
        BackendCall large = call("m", 90);
        long estimate = TokenEstimate.of(large).total();
        assertThat(estimate).isBetween(95L, 100L);

        Permit first = limits.acquire("openai", large, ALICE, in(Duration.ofSeconds(5)))
                .orElseThrow();
        assertThat(limits.acquire("openai", large, ALICE, in(Duration.ofMillis(300))))
                .as("the bucket is spent until it refills")
                .isEmpty();

        first.settle(new BackendOutcome.Completed("m", "a", Usage.of(5, 2)));
        first.close();

        long started = System.nanoTime();
        assertThat(limits.acquire("openai", large, ALICE, in(Duration.ofSeconds(5))))
                .as("what the answer did not use came back")
                .isPresent();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void aPermitUnusedGivesItsRequestBack() throws Exception {
        ProviderLimits limits = limits(Map.of("OPENAI_RPM", "1"));

        limits.acquire("openai", call("m", 1), ALICE, in(Duration.ofSeconds(5)))
                .orElseThrow()
                .unused();

        assertThat(limits.acquire("openai", call("m", 1), ALICE, in(Duration.ofMillis(500))))
                .as("the call was not made: the minute's one request is still there")
                .isPresent();
    }

    @Test
    void aModelsLimitHoldsItsCallsAndNotTheOtherModels() throws Exception {
        ProviderLimits limits = limits(Map.of("ROUTER_MODEL_LIMITS", "openai/slow:rpm=1"));

        limits.acquire("openai", call("slow", 1), ALICE, in(Duration.ofSeconds(5)))
                .orElseThrow()
                .close();

        assertThat(limits.acquire("openai", call("slow", 1), ALICE, in(Duration.ofMillis(300))))
                .as("one call a minute to that model")
                .isEmpty();
        assertThat(limits.acquire("openai", call("fast", 1), ALICE, in(Duration.ofMillis(300))))
                .as("another model of the backend has no limit")
                .isPresent();
    }

    @Test
    void aSlotComesBackWhenItsCallEnds() throws Exception {
        ProviderLimits limits = limits(Map.of("OPENAI_MAX_CONCURRENCY", "1"));

        Permit held = limits.acquire("openai", call("m", 1), ALICE, in(Duration.ofSeconds(5)))
                .orElseThrow();
        assertThat(limits.acquire("openai", call("m", 1), ALICE, in(Duration.ofMillis(300))))
                .as("the only slot is held, on this worker as on any other")
                .isEmpty();
        CompletableFuture<Optional<Permit>> next = CompletableFuture.supplyAsync(() -> {
            try {
                return limits.acquire("openai", call("m", 1), ALICE, in(Duration.ofSeconds(10)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        held.close();

        assertThat(next.get()).isPresent();
    }

    @Test
    void anotherWorkersSlotsCountToo() throws Exception {
        ProviderLimits limits = limits(Map.of("OPENAI_MAX_CONCURRENCY", "1"));
        ProviderLimits other = ProviderLimits.start(
                LimitSettings.fromEnv(Env.of(Map.of("OPENAI_MAX_CONCURRENCY", "1")), List.of("openai")),
                dataSource,
                database,
                new SimpleMeterRegistry(),
                Clock.systemUTC());
        try {
            Permit held = other.acquire("openai", call("m", 1), ALICE, in(Duration.ofSeconds(5)))
                    .orElseThrow();

            assertThat(limits.acquire("openai", call("m", 1), ALICE, in(Duration.ofMillis(300))))
                    .isEmpty();

            other.close(); // a worker that stops (or dies) frees its slots with its session
            held.close();
            assertThat(limits.acquire("openai", call("m", 1), ALICE, in(Duration.ofSeconds(5))))
                    .isPresent();
        } finally {
            other.close();
        }
    }

    @Test
    void aWaitingAskCanBeInterrupted() throws Exception {
        ProviderLimits limits = limits(Map.of("OPENAI_RPM", "1"));
        limits.acquire("openai", call("m", 1), ALICE, Optional.empty())
                .orElseThrow()
                .close();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                limits.acquire("openai", call("m", 1), ALICE, Optional.empty());
            } catch (InterruptedException e) {
                ended.set(e);
            }
        });
        Thread.sleep(200);

        waiting.interrupt();
        waiting.join(Duration.ofSeconds(5));

        assertThat(ended.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void interruptingAnAskAtItsSlotKeepsTheWorkersOtherSlots() throws Exception {
        // the slots' own connection: a cancel that interrupts an ask as it takes or gives back a slot
        // must not cost the worker its session, and with it the slots of its calls still running
        try (ConcurrencySlots slots = new ConcurrencySlots(database)) {
            ConcurrencySlots.Slot running = slots.tryTake("openai", 2).orElseThrow();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger interrupted = new AtomicInteger();
            AtomicInteger granted = new AtomicInteger();
            Thread churn = Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try {
                        slots.tryTake("openai", 2).ifPresent(slot -> {
                            granted.incrementAndGet();
                            slots.release(slot);
                        });
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                    }
                }
            });
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() - until < 0) {
                churn.interrupt();
                Thread.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(2, 20)));
            }
            stop.set(true);
            churn.join(Duration.ofSeconds(10));
            assertThat(churn.isAlive()).isFalse();
            assertThat(interrupted.get()).as("the ask was interrupted").isPositive();
            assertThat(granted.get())
                    .as("the ask had the other slot between interrupts")
                    .isPositive();
            // a take the ask gave up on as it was interrupted is given back once it is done
            long settled = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (slots.held() > 1 && System.nanoTime() - settled < 0) {
                Thread.sleep(10);
            }
            assertThat(slots.held()).as("only the running call's slot is held").isEqualTo(1);

            ProviderLimits other = limits(Map.of("OPENAI_MAX_CONCURRENCY", "2"));
            Permit othersCall = other.acquire("openai", call("m", 1), ALICE, in(Duration.ofSeconds(5)))
                    .orElseThrow(() -> new AssertionError("a slot an interrupted ask took was not given back"));
            assertThat(other.acquire("openai", call("m", 1), ALICE, in(Duration.ofMillis(300))))
                    .as("the slot of the call still running is still held in PostgreSQL")
                    .isEmpty();

            slots.release(running);
            assertThat(other.acquire("openai", call("m", 1), ALICE, in(Duration.ofSeconds(5))))
                    .as("the next ask gets its turn once the call ended")
                    .isPresent();
            othersCall.close();
        }
    }

    @Test
    void aStoppingWorkerEndsItsWaits() throws Exception {
        ProviderLimits limits = limits(Map.of("OPENAI_RPM", "1"));
        limits.acquire("openai", call("m", 1), ALICE, Optional.empty())
                .orElseThrow()
                .close();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                limits.acquire("openai", call("m", 1), ALICE, Optional.empty());
            } catch (InterruptedException e) {
                throw new IllegalStateException("handed back", e);
            }
        });
        Thread.sleep(200);

        limits.endWaits();

        assertThatThrownBy(waiting::get).hasRootCauseInstanceOf(InterruptedException.class);
    }
}
