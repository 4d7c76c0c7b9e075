package io.askpipe.ingest.batch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * The statements that settle batch lines with their asks' results, in one transaction per batch of
 * results: the lines still waiting for one of the results are found, their batches' rows locked in
 * id order, then one statement settles the lines (only those still waiting: a result read twice
 * settles once), adds them to their batches' counts and usage, and their tokens to their users'
 * months, as a finished ask's are ({@code ResultTally}). Results of asks that are not batch lines
 * cost one indexed lookup and nothing else. Thread-safe.
 */
public final class Settlements {
    private static final String SETTLE = "WITH v AS (SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::text[],"
            + " ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::varchar[])"
            + " AS v(request_id, outcome, result, input, output, total, cached, reasoning, month)),"
            + " settled AS (UPDATE batch_lines l SET outcome = v.outcome, result = v.result,"
            + " settled_at = ?::timestamptz FROM v WHERE l.request_id = v.request_id AND l.outcome IS NULL"
            + " RETURNING l.batch_id, v.outcome, v.input, v.output, v.total, v.cached, v.reasoning, v.month),"
            + " sums AS (SELECT batch_id, count(*) FILTER (WHERE outcome = 'succeeded') AS ok,"
            + " count(*) FILTER (WHERE outcome <> 'succeeded') AS bad, sum(input) AS input, sum(output) AS output,"
            + " sum(total) AS total, sum(cached) AS cached, sum(reasoning) AS reasoning"
            + " FROM settled GROUP BY batch_id),"
            + " counted AS (UPDATE batches b SET completed = b.completed + s.ok, failed = b.failed + s.bad,"
            + " input_tokens = b.input_tokens + s.input, output_tokens = b.output_tokens + s.output,"
            + " total_tokens = b.total_tokens + s.total, cached_tokens = b.cached_tokens + s.cached,"
            + " reasoning_tokens = b.reasoning_tokens + s.reasoning FROM sums s WHERE b.id = s.batch_id"
            + " RETURNING b.id, b.user_id, b.completed + b.failed >= b.total AS done),"
            + " tokens AS (INSERT INTO user_tokens AS t (user_id, month, tokens)"
            + " SELECT c.user_id, s.month::date, sum(s.total) FROM settled s JOIN counted c ON c.id = s.batch_id"
            + " WHERE s.total > 0 GROUP BY c.user_id, s.month"
            + " ON CONFLICT (user_id, month) DO UPDATE SET tokens = t.tokens + excluded.tokens)"
            + " SELECT id FROM counted WHERE done";

    private final DSLContext db;

    public Settlements(DSLContext db) {
        this.db = db;
    }

    /**
     * Settles the batch lines whose asks {@code results} are (one result per ask) at {@code now};
     * returns the batches that have every line settled after it.
     */
    public Set<String> settle(Collection<AskResult> results, Instant now) {
        if (results.isEmpty()) {
            return Set.of();
        }
        String[] ids = results.stream().map(AskResult::reqId).toArray(String[]::new);
        return db.transactionResult(tx -> {
            DSLContext c = tx.dsl();
            Map<String, String> waiting = new LinkedHashMap<>();
            c.resultQuery(
                            "SELECT request_id, batch_id FROM batch_lines WHERE request_id = ANY(?::varchar[])"
                                    + " AND outcome IS NULL",
                            DSL.val(ids))
                    .forEach(row -> waiting.put(row.get(0, String.class), row.get(1, String.class)));
            if (waiting.isEmpty()) {
                return Set.of();
            }
            String[] batches = waiting.values().stream().distinct().sorted().toArray(String[]::new);
            c.resultQuery(
                            "SELECT id FROM batches WHERE id = ANY(?::varchar[]) ORDER BY id FOR UPDATE",
                            DSL.val(batches))
                    .fetch();
            List<AskResult> lines = results.stream()
                    .filter(result -> waiting.containsKey(result.reqId()))
                    .toList();
            Set<String> done = new HashSet<>();
            for (Record row : c.resultQuery(SETTLE, statementValues(lines, now))) {
                done.add(row.get(0, String.class));
            }
            return done;
        });
    }

    private static Object[] statementValues(List<AskResult> lines, Instant now) {
        int n = lines.size();
        String[] requestIds = new String[n];
        String[] outcomes = new String[n];
        String[] results = new String[n];
        Long[] input = new Long[n];
        Long[] output = new Long[n];
        Long[] total = new Long[n];
        Long[] cached = new Long[n];
        Long[] reasoning = new Long[n];
        String[] months = new String[n];
        for (int i = 0; i < n; i++) {
            AskResult result = lines.get(i);
            Usage usage = result.usage();
            requestIds[i] = result.reqId();
            outcomes[i] = LineOutcome.of(result.status()).wireName();
            results[i] = json(result);
            input[i] = (long) usage.promptTokens();
            output[i] = (long) usage.completionTokens();
            total[i] = (long) usage.totalTokens();
            cached[i] = usage.promptTokensDetails() == null
                    ? 0L
                    : usage.promptTokensDetails().cachedTokens();
            reasoning[i] = usage.completionTokensDetails() == null
                    ? 0L
                    : usage.completionTokensDetails().reasoningTokens();
            months[i] = result.completedAt()
                    .atOffset(ZoneOffset.UTC)
                    .toLocalDate()
                    .withDayOfMonth(1)
                    .toString();
        }
        List<Object> values = new ArrayList<>(List.of(
                DSL.val(requestIds),
                DSL.val(outcomes),
                DSL.val(results),
                DSL.val(input),
                DSL.val(output),
                DSL.val(total),
                DSL.val(cached),
                DSL.val(reasoning),
                DSL.val(months)));
        values.add(now.atOffset(ZoneOffset.UTC).toString());
        return values.toArray();
    }

    private static String json(AskResult result) {
        try {
            return Json.mapper().writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result read from ask.results serializes again", e);
        }
    }
}
