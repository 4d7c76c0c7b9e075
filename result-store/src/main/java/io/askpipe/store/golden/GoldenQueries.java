package io.askpipe.store.golden;

import static io.askpipe.store.db.Tables.ASKS;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.percentileCont;

import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.ErrorType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;

/**
 * The golden queries: for the last 1, 5 and 15 minutes, per backend, how many asks finished, their
 * p95 latency, their error rate by error type and how many breached their time limit. Computed in
 * SQL over {@code store.asks}, which every result-store instance writes and reads, so any instance
 * answers for the whole deployment. An ask counts in a window when it finished in it (its {@code
 * completed_at}, the router's clock); its latency is the time its backend calls took
 * ({@code latency_ms}), as in the {@code ask_latency_ms} histogram. Per backend it also says how
 * long asks waited for permits of the provider limits (the p95 of {@code waited_ms}, an ask that
 * did not wait counting 0) and the share of asks that waited at all.
 */
public final class GoldenQueries {
    private static final List<Span> WINDOWS = List.of(
            new Span("1m", Duration.ofMinutes(1)),
            new Span("5m", Duration.ofMinutes(5)),
            new Span("15m", Duration.ofMinutes(15)));
    private static final String FAILED = AskStatus.FAILED.wireName();
    /** Asks that ran out of their own time: finished, but no measure of a backend's latency. */
    private static final String EXPIRED = AskStatus.EXPIRED.wireName();
    /** Asks their owners cancelled: their latency is the time until the cancel, not a backend's. */
    private static final String CANCELLED = AskStatus.CANCELLED.wireName();
    /** Every way an ask ends; only {@code failed} counts as an error (an expired ask's deadline was the client's). */
    private static final List<String> TERMINAL = AskStatus.terminalWireNames();

    private final DSLContext db;
    private final Clock clock;

    public GoldenQueries(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public GoldenSignals compute() {
        Instant now = clock.instant();
        return new GoldenSignals(
                now, WINDOWS.stream().map(span -> window(span, now)).toList());
    }

    private record Span(String name, Duration length) {}

    private GoldenSignals.Window window(Span span, Instant now) {
        var finished = ASKS.COMPLETED_AT
                .ge(now.minus(span.length()).atOffset(ZoneOffset.UTC))
                .and(ASKS.STATUS.in(TERMINAL));
        Map<String, List<GoldenSignals.ErrorCount>> errorsByBackend = new HashMap<>();
        var errorRows = db.select(ASKS.BACKEND, ASKS.ERROR_TYPE, count())
                .from(ASKS)
                .where(finished)
                .and(ASKS.STATUS.eq(FAILED))
                .groupBy(ASKS.BACKEND, ASKS.ERROR_TYPE)
                .orderBy(ASKS.BACKEND, count().desc(), ASKS.ERROR_TYPE)
                .fetch();
        Map<String, Long> asksByBackend = new HashMap<>();
        var backendRows = db.select(
                        ASKS.BACKEND,
                        count(),
                        percentileCont(0.95)
                                .withinGroupOrderBy(ASKS.LATENCY_MS)
                                .filterWhere(ASKS.STATUS.notIn(EXPIRED, CANCELLED)),
                        count().filterWhere(ASKS.STATUS.eq(FAILED)),
                        count().filterWhere(ASKS.ERROR_TYPE.eq(ErrorType.TIMEOUT.wireName())),
                        percentileCont(0.95).withinGroupOrderBy(coalesce(ASKS.WAITED_MS, 0L)),
                        count().filterWhere(ASKS.WAITED_MS.gt(0L)))
                .from(ASKS)
                .where(finished)
                .groupBy(ASKS.BACKEND)
                .orderBy(ASKS.BACKEND)
                .fetch();
        backendRows.forEach(row -> asksByBackend.put(row.value1(), row.value2().longValue()));
        for (var row : errorRows) {
            long asks = asksByBackend.getOrDefault(row.value1(), 0L);
            errorsByBackend
                    .computeIfAbsent(row.value1(), backend -> new ArrayList<>())
                    .add(new GoldenSignals.ErrorCount(row.value2(), row.value3(), rate(row.value3(), asks)));
        }
        List<GoldenSignals.Backend> backends = new ArrayList<>();
        long asks = 0;
        long failed = 0;
        long breaches = 0;
        for (var row : backendRows) {
            long backendAsks = row.value2();
            long backendFailed = row.value4();
            long backendBreaches = row.value5();
            backends.add(new GoldenSignals.Backend(
                    row.value1(),
                    backendAsks,
                    row.value3().doubleValue(),
                    backendFailed,
                    rate(backendFailed, backendAsks),
                    backendBreaches,
                    errorsByBackend.getOrDefault(row.value1(), List.of()),
                    row.value6().doubleValue(),
                    rate(row.value7(), backendAsks)));
            asks += backendAsks;
            failed += backendFailed;
            breaches += backendBreaches;
        }
        return new GoldenSignals.Window(span.name(), span.length().toSeconds(), asks, failed, breaches, backends);
    }

    private static double rate(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }
}
