package io.askpipe.router;

import static io.askpipe.router.db.Tables.RESULTS;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * The router's durable memory of finished asks, shared by every worker: the first result produced
 * for a request id, kept so that a redelivered or replayed ask is answered again without calling a
 * backend, and so that two workers racing on one ask publish one and the same result. Thread-safe.
 */
final class RouterResults {
    static final String SCHEMA = "router";

    private final DSLContext db;

    RouterResults(DSLContext db) {
        this.db = db;
    }

    /** The result already produced for {@code requestId}, if any. */
    Optional<AskResult> find(String requestId) {
        return db.select(RESULTS.RESULT)
                .from(RESULTS)
                .where(RESULTS.REQUEST_ID.eq(requestId))
                .fetchOptional(RESULTS.RESULT)
                .map(RouterResults::read);
    }

    /**
     * Keeps {@code result} unless another result for the same request was kept first, and returns
     * the one that is kept: the caller publishes that one.
     */
    AskResult keepFirst(AskResult result) {
        int inserted = db.insertInto(RESULTS)
                .set(RESULTS.REQUEST_ID, result.reqId())
                .set(RESULTS.BACKEND, result.backend())
                .set(RESULTS.STATUS, result.status().wireName())
                .set(RESULTS.ATTEMPTS, result.attempts())
                .set(RESULTS.RESULT, write(result))
                .set(RESULTS.COMPLETED_AT, result.completedAt().atOffset(ZoneOffset.UTC))
                .onConflictDoNothing()
                .execute();
        return inserted == 1 ? result : find(result.reqId()).orElseThrow();
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
