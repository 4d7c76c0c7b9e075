package io.askpipe.ingest.quota;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The statement that tallies a batch of results in schema {@code ingest}: it marks their asks'
 * ledger rows finished and adds the tokens of each row it finished (one that was unfinished) to its
 * user's month, so that a result read twice is counted once. A result whose row is gone (purged
 * past its retention, or never claimed here) changes nothing. Thread-safe.
 */
final class FinishedAsks {
    /** One result: its ask, the tokens its answer used and the first day of the month it finished in. */
    record Finished(String requestId, long tokens, LocalDate month) {
        static Finished at(String requestId, long tokens, Instant completedAt) {
            return new Finished(
                    requestId,
                    tokens,
                    completedAt.atOffset(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1));
        }
    }

    private static final String SQL = "WITH done AS ("
            + " SELECT * FROM unnest(?::varchar[], ?::bigint[], ?::varchar[]) AS d(request_id, tokens, month)),"
            + " finished AS (UPDATE idempotency i SET finished_at = ?::timestamptz FROM done"
            + " WHERE i.request_id = done.request_id AND i.finished_at IS NULL"
            + " RETURNING i.user_id, done.tokens, done.month::date AS month),"
            + " counted AS (INSERT INTO user_tokens AS t (user_id, month, tokens)"
            + " SELECT user_id, month, sum(tokens) FROM finished WHERE tokens > 0 GROUP BY user_id, month"
            + " ON CONFLICT (user_id, month) DO UPDATE SET tokens = t.tokens + excluded.tokens)"
            + " SELECT count(*) FROM finished";

    private final DSLContext db;

    FinishedAsks(DSLContext db) {
        this.db = db;
    }

    /** Tallies {@code results} (one per ask) as finished at {@code now}; returns how many rows it finished. */
    int tally(Collection<Finished> results, Instant now) {
        if (results.isEmpty()) {
            return 0;
        }
        String[] ids = results.stream().map(Finished::requestId).toArray(String[]::new);
        Long[] tokens = results.stream().map(Finished::tokens).toArray(Long[]::new);
        String[] months = results.stream().map(f -> f.month().toString()).toArray(String[]::new);
        return db.resultQuery(
                        SQL,
                        DSL.val(ids),
                        DSL.val(tokens),
                        DSL.val(months),
                        now.atOffset(ZoneOffset.UTC).toString())
                .fetchSingle()
                .get(0, Integer.class);
    }
}
