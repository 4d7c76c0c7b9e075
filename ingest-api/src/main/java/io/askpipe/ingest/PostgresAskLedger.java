package io.askpipe.ingest;

import static io.askpipe.ingest.db.Tables.IDEMPOTENCY;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.ingest.db.tables.records.IdempotencyRecord;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The idempotency ledger in PostgreSQL (schema {@code ingest}), through jOOQ. A claim is an insert
 * that a concurrent claim of the same scope cannot also win: the primary key decides, in whichever
 * instance. An expired entry is taken over in place. Thread-safe.
 */
final class PostgresAskLedger implements AskLedger {
    static final String SCHEMA = "ingest";
    private static final String ACCEPTING = "accepting";
    private static final String ACCEPTED = "accepted";

    private final DSLContext db;

    PostgresAskLedger(DSLContext db) {
        this.db = db;
    }

    @Override
    public Claim claim(AskRequest ask, String method, String path, String fingerprint, Instant now, Instant expiresAt) {
        IdempotencyRecord row = db.newRecord(IDEMPOTENCY);
        row.setUserId(ask.userId());
        row.setMethod(method);
        row.setPath(path);
        row.setIdempotencyKey(ask.idempotencyKey());
        row.setFingerprint(fingerprint);
        row.setRequestId(ask.requestId());
        row.setState(ACCEPTING);
        row.setAsk(write(ask));
        row.setCreatedAt(utc(now));
        row.setExpiresAt(utc(expiresAt));
        // insert, or take over an entry whose TTL ran out; a live entry is left alone
        int claimed = db.insertInto(IDEMPOTENCY)
                .set(row)
                .onConflict(IDEMPOTENCY.USER_ID, IDEMPOTENCY.METHOD, IDEMPOTENCY.PATH, IDEMPOTENCY.IDEMPOTENCY_KEY)
                .doUpdate()
                .set(row)
                .where(IDEMPOTENCY.EXPIRES_AT.le(utc(now)))
                .execute();
        if (claimed == 1) {
            return new Claim.Won();
        }
        IdempotencyRecord existing = db.selectFrom(IDEMPOTENCY)
                .where(scope(ask.userId(), method, path, ask.idempotencyKey()))
                .fetchOptional()
                .orElse(null);
        if (existing == null) {
            // it expired and was purged between the two statements: try again
            return claim(ask, method, path, fingerprint, now, expiresAt);
        }
        if (!existing.getFingerprint().equals(fingerprint)) {
            return new Claim.Mismatch();
        }
        if (ACCEPTED.equals(existing.getState())) {
            return new Claim.Replay(existing.getResponseStatus(), existing.getResponseBody(), existing.getRequestId());
        }
        return new Claim.InProgress();
    }

    @Override
    public void accepted(AskRequest ask, String method, String path, int status, String body) {
        db.update(IDEMPOTENCY)
                .set(IDEMPOTENCY.STATE, ACCEPTED)
                .set(IDEMPOTENCY.RESPONSE_STATUS, status)
                .set(IDEMPOTENCY.RESPONSE_BODY, body)
                .where(scope(ask.userId(), method, path, ask.idempotencyKey()))
                .and(IDEMPOTENCY.REQUEST_ID.eq(ask.requestId()))
                .execute();
    }

    @Override
    public List<AskRequest> unpublished(Instant claimedBefore, int limit, Recovery recovery) {
        List<AskRequest> recovered = new ArrayList<>();
        db.transaction(tx -> {
            DSLContext inner = tx.dsl();
            List<IdempotencyRecord> rows = inner.selectFrom(IDEMPOTENCY)
                    .where(IDEMPOTENCY.STATE.eq(ACCEPTING))
                    .and(IDEMPOTENCY.CREATED_AT.lt(utc(claimedBefore)))
                    .orderBy(IDEMPOTENCY.CREATED_AT)
                    .limit(limit)
                    .forUpdate()
                    .skipLocked()
                    .fetch();
            for (IdempotencyRecord row : rows) {
                AskRequest ask = read(row.getAsk());
                recovery.publish(ask);
                inner.update(IDEMPOTENCY)
                        .set(IDEMPOTENCY.STATE, ACCEPTED)
                        .set(IDEMPOTENCY.RESPONSE_STATUS, 202)
                        .set(IDEMPOTENCY.RESPONSE_BODY, AcceptedResponse.body(ask))
                        .where(scope(row.getUserId(), row.getMethod(), row.getPath(), row.getIdempotencyKey()))
                        .execute();
                recovered.add(ask);
            }
        });
        return recovered;
    }

    @Override
    public int purgeExpired(Instant now) {
        return db.deleteFrom(IDEMPOTENCY)
                .where(IDEMPOTENCY.EXPIRES_AT.le(utc(now)))
                .and(IDEMPOTENCY.STATE.eq(ACCEPTED))
                .execute();
    }

    private static org.jooq.Condition scope(String userId, String method, String path, String key) {
        return DSL.and(
                IDEMPOTENCY.USER_ID.eq(userId),
                IDEMPOTENCY.METHOD.eq(method),
                IDEMPOTENCY.PATH.eq(path),
                IDEMPOTENCY.IDEMPOTENCY_KEY.eq(key));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static String write(AskRequest ask) {
        try {
            return Json.mapper().writeValueAsString(ask);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ask always serializes", e);
        }
    }

    private static AskRequest read(String json) {
        try {
            return Json.mapper().readValue(json, AskRequest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the ledger holds an ask that does not parse", e);
        }
    }
}
