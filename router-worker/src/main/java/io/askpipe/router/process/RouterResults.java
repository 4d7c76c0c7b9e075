package io.askpipe.router.process;

import static io.askpipe.router.db.Tables.RESULTS;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.common.db.Batcher;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The router's durable memory of finished asks, shared by every worker: the first result produced
 * for a request id, kept so that a redelivered or replayed ask is answered again without calling a
 * backend, and so that two workers racing on one ask publish one and the same result.
 *
 * <p>The asks running at one moment share their statements: their lookups are one query, and
 * their results one insert ({@link Batcher}), so that the database sees a round trip and a
 * transaction per batch rather than per ask. Thread-safe.
 */
public final class RouterResults implements AutoCloseable {
    public static final String SCHEMA = "router";
    private static final int LANES = 2;
    private static final int MAX_BATCH = 256;

    private final DSLContext db;
    private final Batcher<String, Optional<AskResult>> lookups;
    private final Batcher<AskResult, AskResult> keeps;

    public RouterResults(DSLContext db) {
        this.db = db;
        this.lookups = new Batcher<>("router-lookups", LANES, MAX_BATCH, this::findAll);
        this.keeps = new Batcher<>("router-keeps", LANES, MAX_BATCH, this::keepAllFirst);
    }

    /** The result already produced for {@code requestId}, if any. */
    public Optional<AskResult> find(String requestId) throws InterruptedException {
        return lookups.call(requestId);
    }

    /**
     * Keeps {@code result} unless another result for the same request was kept first, and returns
     * the one that is kept: the caller publishes that one.
     */
    public AskResult keepFirst(AskResult result) throws InterruptedException {
        return keeps.call(result);
    }

    private List<Optional<AskResult>> findAll(List<String> requestIds) {
        Map<String, AskResult> found = db.select(RESULTS.REQUEST_ID, RESULTS.RESULT)
                .from(RESULTS)
                .where(RESULTS.REQUEST_ID.eq(DSL.any(requestIds.toArray(String[]::new))))
                .fetchMap(RESULTS.REQUEST_ID, row -> read(row.get(RESULTS.RESULT)));
        return requestIds.stream().map(id -> Optional.ofNullable(found.get(id))).toList();
    }

    /**
     * One insert for the whole batch; where a request already had a result (from another worker,
     * or earlier in this very batch) the kept one is answered instead.
     */
    private List<AskResult> keepAllFirst(List<AskResult> fresh) {
        var insert = db.insertInto(
                RESULTS,
                RESULTS.REQUEST_ID,
                RESULTS.BACKEND,
                RESULTS.STATUS,
                RESULTS.ATTEMPTS,
                RESULTS.RESULT,
                RESULTS.COMPLETED_AT);
        for (AskResult result : fresh) {
            insert = insert.values(
                    result.reqId(),
                    result.backend(),
                    result.status().wireName(),
                    result.attempts(),
                    write(result),
                    result.completedAt().atOffset(ZoneOffset.UTC));
        }
        Set<String> inserted =
                insert.onConflictDoNothing().returning(RESULTS.REQUEST_ID).fetchSet(RESULTS.REQUEST_ID);
        Map<String, AskResult> kept = new HashMap<>();
        List<String> lost = new ArrayList<>();
        for (AskResult result : fresh) {
            if (inserted.contains(result.reqId())) {
                kept.putIfAbsent(result.reqId(), result); // the first of the batch is the one inserted
            } else {
                lost.add(result.reqId());
            }
        }
        if (!lost.isEmpty()) {
            List<Optional<AskResult>> existing = findAll(lost);
            for (int i = 0; i < lost.size(); i++) {
                String id = lost.get(i);
                kept.putIfAbsent(
                        id,
                        existing.get(i)
                                .orElseThrow(() -> new IllegalStateException(
                                        "the result of " + id + " was neither inserted nor found")));
            }
        }
        return fresh.stream().map(result -> kept.get(result.reqId())).toList();
    }

    /**
     * Deletes up to {@code batch} results completed before {@code cutoff}; returns how many. Their
     * asks are past the retention period, which the worker no longer runs, so nothing looks them
     * up again.
     */
    public int purgeCompletedBefore(Instant cutoff, int batch) {
        var expired = DSL.select(RESULTS.REQUEST_ID)
                .from(RESULTS)
                .where(RESULTS.COMPLETED_AT.lt(cutoff.atOffset(ZoneOffset.UTC)))
                .limit(batch);
        return db.deleteFrom(RESULTS).where(RESULTS.REQUEST_ID.in(expired)).execute();
    }

    /** Finishes the statements handed in already, then refuses more. */
    @Override
    public void close() {
        lookups.close();
        keeps.close();
    }

    private static String write(AskResult result) {
        try {
            return Json.mapper().writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result always serializes", e);
        }
    }

    private static AskResult read(String json) {
        try {
            return Json.mapper().readValue(json, AskResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("router.results holds a result that does not parse", e);
        }
    }
}
