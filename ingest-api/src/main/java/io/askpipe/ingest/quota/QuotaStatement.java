package io.askpipe.ingest.quota;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * The one statement a submit's quotas cost, in schema {@code ingest}: it counts the user's asks in
 * flight (ledger rows claimed since the retention and not finished, this ask's own aside, counted
 * up to the limit), reads the tokens of their month, and, when both are within their limits, takes
 * one ask of their rate (an upsert of their {@code user_rates} row that moves its arrival time only
 * while it stays within the minute). The row lock of that upsert makes the rate exact across
 * instances; the count and the tokens are what the statement's snapshot saw. A quota that does not
 * apply costs nothing in it. Thread-safe.
 */
final class QuotaStatement {
    /**
     * What the statement saw and did.
     *
     * @param inFlight the user's other asks in flight, at most the limit; 0 when that quota does not apply
     * @param tokensSpent tokens used in the month so far; 0 when that quota does not apply
     * @param admittedTat the new arrival time when an ask of the rate was taken
     * @param currentTat the arrival time before the statement, if the user has one
     */
    record Outcome(long inFlight, long tokensSpent, Optional<Long> admittedTat, Optional<Long> currentTat) {}

    private final DSLContext db;

    QuotaStatement(DSLContext db) {
        this.db = db;
    }

    /**
     * Checks and takes {@code limits} for {@code userId}'s ask {@code requestId} at {@code nowUs}
     * (microseconds since the epoch), counting asks in flight claimed after {@code inFlightSince}
     * and the tokens of {@code month} (its first day).
     */
    Outcome run(String userId, String requestId, Limits limits, long nowUs, Instant inFlightSince, LocalDate month) {
        List<Object> binds = new ArrayList<>();
        StringBuilder sql = new StringBuilder("WITH flying AS (");
        if (limits.maxInFlight() > 0) {
            // counted up to the limit: all the decision and the RateLimit field need, at a bounded cost
            sql.append("SELECT count(*) AS n FROM (SELECT 1 FROM idempotency WHERE user_id = ? AND finished_at IS NULL"
                    + " AND state <> 'dead' AND created_at > ?::timestamptz AND request_id <> ? LIMIT ?) AS f");
            binds.addAll(List.of(
                    userId, inFlightSince.atOffset(ZoneOffset.UTC).toString(), requestId, limits.maxInFlight()));
        } else {
            sql.append("SELECT 0::bigint AS n");
        }
        sql.append("), spent AS (");
        if (limits.monthlyTokens() > 0) {
            sql.append("SELECT coalesce(sum(tokens), 0)::bigint AS tokens FROM user_tokens"
                    + " WHERE user_id = ? AND month = ?::date");
            binds.addAll(List.of(userId, month.toString()));
        } else {
            sql.append("SELECT 0::bigint AS tokens");
        }
        sql.append(")");
        if (limits.rpm() > 0) {
            long interval = new RequestRate(limits.rpm()).intervalUs();
            long maxInFlight = limits.maxInFlight() > 0 ? limits.maxInFlight() : Long.MAX_VALUE;
            long maxTokens = limits.monthlyTokens() > 0 ? limits.monthlyTokens() : Long.MAX_VALUE;
            sql.append(", rate AS (INSERT INTO user_rates AS r (user_id, tat_us)"
                    + " SELECT ?, ?::bigint + ?::bigint FROM flying, spent"
                    + " WHERE flying.n < ?::bigint AND spent.tokens < ?::bigint"
                    + " ON CONFLICT (user_id) DO UPDATE SET tat_us = greatest(r.tat_us, ?::bigint) + ?::bigint"
                    + " WHERE greatest(r.tat_us, ?::bigint) + ?::bigint - ?::bigint <= ?::bigint"
                    + " RETURNING r.tat_us)"
                    + " SELECT (SELECT n FROM flying), (SELECT tokens FROM spent), (SELECT tat_us FROM rate),"
                    + " (SELECT tat_us FROM user_rates WHERE user_id = ?)");
            binds.addAll(List.of(
                    userId,
                    nowUs,
                    interval,
                    maxInFlight,
                    maxTokens,
                    nowUs,
                    interval,
                    nowUs,
                    interval,
                    nowUs,
                    RequestRate.WINDOW_US,
                    userId));
        } else {
            sql.append(" SELECT (SELECT n FROM flying), (SELECT tokens FROM spent), NULL::bigint, NULL::bigint");
        }
        Record row = db.resultQuery(sql.toString(), binds.toArray()).fetchSingle();
        return new Outcome(
                row.get(0, Long.class),
                row.get(1, Long.class),
                Optional.ofNullable(row.get(2, Long.class)),
                Optional.ofNullable(row.get(3, Long.class)));
    }
}
