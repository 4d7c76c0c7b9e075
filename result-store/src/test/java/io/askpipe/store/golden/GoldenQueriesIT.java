package io.askpipe.store.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Usage;
import io.askpipe.store.sink.AskPart;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.sink.AskRepositoryIT;
import io.askpipe.store.sink.StoreSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The golden queries over a seeded mix of latencies and errors whose answers are known. */
class GoldenQueriesIT {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static HikariDataSource dataSource;
    private static GoldenSignals signals;

    @BeforeAll
    static void seed() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String url = pg.createDatabase(SharedInfrastructure.uniqueName("golden"));
        dataSource = new DatabaseSettings(url, pg.user(), pg.password(), 2).dataSource("test", StoreSchema.SCHEMA);
        FlywayMigrations.migrate(dataSource, StoreSchema.SCHEMA);
        var db = DSL.using(dataSource, SQLDialect.POSTGRES);
        AskRepository asks = new AskRepository(db, Clock.fixed(NOW, ZoneOffset.UTC), AskRepositoryIT.KEEP_ALL);

        List<AskPart> batch = new ArrayList<>();
        // alpha, in the last minute: latencies 1..100 ms; asks 91-95 timed out, 96-100 failed upstream
        for (int ms = 1; ms <= 100; ms++) {
            AskError error = ms > 95
                    ? new AskError(ErrorType.UPSTREAM_ERROR, "bad gateway")
                    : ms > 90 ? new AskError(ErrorType.TIMEOUT, "too slow") : null;
            batch.addAll(finished("alpha", ms, error, NOW.minusSeconds(30)));
        }
        // alpha, three minutes ago: 50 asks of 1000 ms, all fine
        for (int i = 0; i < 50; i++) {
            batch.addAll(finished("alpha", 1_000, null, NOW.minus(Duration.ofMinutes(3))));
        }
        // beta, ten minutes ago: 20 asks that all hit their time limit at 30 s
        for (int i = 0; i < 20; i++) {
            batch.addAll(finished("beta", 30_000, new AskError(ErrorType.TIMEOUT, "too slow"), NOW.minusSeconds(600)));
        }
        // beta, ten minutes ago: 5 asks that ran out of their own deadline after a long wait, 90 s of it
        // for permits of the provider limits; finished, not failed, and no measure of beta's latency
        for (int i = 0; i < 5; i++) {
            AskRequest request = request();
            batch.add(new AskPart.Request(request));
            batch.add(new AskPart.Result(
                    AskResult.expired(request.requestId(), "beta", "m", "deadline", 100_000, 1, NOW.minusSeconds(600))
                            .withWaitedMs(90_000)));
        }
        // outside every window, and not finished at all: counted nowhere
        batch.addAll(finished("gamma", 5, null, NOW.minus(Duration.ofMinutes(20))));
        batch.add(new AskPart.Request(request()));
        asks.write(batch);

        signals = new GoldenQueries(db, Clock.fixed(NOW, ZoneOffset.UTC)).compute();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void lastMinuteHoldsOnlyTheRecentAlphaAsks() {
        GoldenSignals.Window minute = window("1m");
        assertThat(minute.seconds()).isEqualTo(60);
        assertThat(minute.asks()).isEqualTo(100);
        assertThat(minute.failed()).isEqualTo(10);
        assertThat(minute.timeoutBreaches()).isEqualTo(5);
        assertThat(minute.backends()).hasSize(1);
        GoldenSignals.Backend alpha = minute.backends().getFirst();
        assertThat(alpha.backend()).isEqualTo("alpha");
        // percentile_cont over 1..100: 1 + 0.95 * 99
        assertThat(alpha.p95LatencyMs()).isCloseTo(95.05, within(1e-9));
        assertThat(alpha.errorRate()).isCloseTo(0.10, within(1e-9));
        assertThat(alpha.p95WaitMs()).as("no alpha ask waited").isZero();
        assertThat(alpha.waitedShare()).isZero();
        assertThat(alpha.errors())
                .containsExactlyInAnyOrder(
                        new GoldenSignals.ErrorCount(ErrorType.TIMEOUT.wireName(), 5, 0.05),
                        new GoldenSignals.ErrorCount("upstream_error", 5, 0.05));
    }

    @Test
    void fiveMinutesAddTheSlowerAlphaAsks() {
        GoldenSignals.Window five = window("5m");
        assertThat(five.asks()).isEqualTo(150);
        GoldenSignals.Backend alpha = five.backends().getFirst();
        // 150 values, the 95th percentile falls between the 142nd and 143rd: both 1000 ms
        assertThat(alpha.p95LatencyMs()).isCloseTo(1_000, within(1e-9));
        assertThat(alpha.errorRate()).isCloseTo(10.0 / 150, within(1e-9));
        assertThat(five.backends()).extracting(GoldenSignals.Backend::backend).containsExactly("alpha");
    }

    @Test
    void fifteenMinutesAddBetaWithItsTimeouts() {
        GoldenSignals.Window fifteen = window("15m");
        assertThat(fifteen.asks()).isEqualTo(175);
        assertThat(fifteen.failed()).isEqualTo(30);
        assertThat(fifteen.timeoutBreaches()).isEqualTo(25);
        assertThat(fifteen.backends())
                .extracting(GoldenSignals.Backend::backend)
                .containsExactly("alpha", "beta");
        GoldenSignals.Backend beta = fifteen.backends().get(1);
        assertThat(beta.asks()).isEqualTo(25);
        assertThat(beta.p95LatencyMs()).as("expired asks left out").isCloseTo(30_000, within(1e-9));
        assertThat(beta.errorRate()).isEqualTo(0.8);
        assertThat(beta.timeoutBreaches()).isEqualTo(20);
        assertThat(beta.errors()).containsExactly(new GoldenSignals.ErrorCount(ErrorType.TIMEOUT.wireName(), 20, 0.8));
        // 20 asks that did not wait (0) and 5 that waited 90 s: the 95th percentile falls among the 5
        assertThat(beta.p95WaitMs()).isCloseTo(90_000, within(1e-9));
        assertThat(beta.waitedShare()).as("5 of 25 waited").isCloseTo(0.2, within(1e-9));
        assertThat(signals.generatedAt()).isEqualTo(NOW);
    }

    private static GoldenSignals.Window window(String name) {
        return signals.windows().stream()
                .filter(w -> w.window().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static List<AskPart> finished(String backend, long latencyMs, AskError error, Instant completedAt) {
        AskRequest request = request();
        String id = request.requestId();
        AskResult result = error == null
                ? AskResult.succeeded(id, backend, "m", "ok", Usage.of(1, 1), latencyMs, 1, completedAt)
                : AskResult.failed(id, backend, "m", error, latencyMs, 1, completedAt);
        return List.of(new AskPart.Request(request), new AskPart.Result(result));
    }

    private static AskRequest request() {
        String id = UUID.randomUUID().toString();
        return new AskRequest(id, "alice", "k-" + id, "prompt", null, null, NOW.minus(Duration.ofHours(1)));
    }
}
