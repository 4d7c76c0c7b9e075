package io.askpipe.ingest.ledger;

import static io.askpipe.ingest.db.Tables.IDEMPOTENCY;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.common.db.Batcher;
import io.askpipe.ingest.db.tables.records.IdempotencyRecord;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * The idempotency ledger in PostgreSQL (schema {@code ingest}), through jOOQ. A claim is an insert
 * that a concurrent claim of the same scope cannot also win: the primary key decides, in whichever
 * instance. An expired entry is taken over in place.
 *
 * <p>The claims and the accepted marks made at one moment share their statements ({@link
 * Batcher}): one insert claims a whole batch, one batch of updates marks one, each in a round trip
 * and a transaction of its own. A claim or mark waits at most {@code callTimeout} for its batch
 * (queue and statement together) and then fails as the database being away.
 *
 * <p>The recovery ({@link LedgerRecovery}) leases rows ({@code leased_until}) in a statement of its
 * own and publishes with no transaction open, so a claim of the same scope is never held up by a
 * slow broker.
 *
 * <p>Thread-safe; close it before its data source.
 */
public final class PostgresAskLedger implements AskLedger, AutoCloseable {
    public static final String SCHEMA = "ingest";
    static final String ACCEPTING = "accepting";
    static final String ACCEPTED = "accepted";
    private static final String DEAD = "dead";
    /** How long an entry set aside is kept past its key's expiry, for an operator to look at. */
    static final Duration DEAD_KEPT = Duration.ofDays(7);

    private static final int PURGE_BATCH = 1_000;
    private static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final int LANES = 2;
    private static final int MAX_BATCH = 256;

    private final DSLContext db;
    private final Duration callTimeout;
    /** How long an accepted entry whose ask has no result yet is kept past its key's expiry. */
    private final Duration keepUnfinished;

    private final Batcher<ClaimCall, Claim> claims;
    private final Batcher<Accepted, Void> marks;

    /** One claim, as handed in. */
    private record ClaimCall(
            AskRequest ask, String method, String path, String fingerprint, Instant now, Instant expiresAt) {
        List<String> scope() {
            return List.of(ask.userId(), method, path, ask.idempotencyKey());
        }
    }

    /** One accepted mark, as handed in. */
    private record Accepted(AskRequest ask, String method, String path, int status, String body) {}

    public PostgresAskLedger(DSLContext db) {
        this(db, DEFAULT_CALL_TIMEOUT);
    }

    public PostgresAskLedger(DSLContext db, Duration callTimeout) {
        this(db, callTimeout, Duration.ZERO);
    }

    /**
     * A ledger whose claims and marks wait at most {@code callTimeout}, and whose purge keeps an
     * accepted entry with no result yet ({@code finished_at} unset) until {@code keepUnfinished}
     * after its claim, however early its key expires: the in-flight quota counts it meanwhile.
     */
    public PostgresAskLedger(DSLContext db, Duration callTimeout, Duration keepUnfinished) {
        this.db = db;
        this.callTimeout = callTimeout;
        this.keepUnfinished = keepUnfinished;
        this.claims = new Batcher<>("ledger-claims", LANES, MAX_BATCH, this::claimAll);
        this.marks = new Batcher<>("ledger-marks", LANES, MAX_BATCH, this::markAll);
    }

    @Override
    public Claim claim(AskRequest ask, String method, String path, String fingerprint, Instant now, Instant expiresAt) {
        return bounded(() -> claims.call(new ClaimCall(ask, method, path, fingerprint, now, expiresAt), callTimeout));
    }

    @Override
    public java.util.Optional<AskRequest> ask(String requestId, Instant now) {
        // one of the key's states other than set aside, while its key lives or its ask has no
        // result yet (the purge keeps such a row up to keepUnfinished): an ask that waits long for
        // a provider's limits can still be cancelled after its key expired
        return db.select(IDEMPOTENCY.ASK)
                .from(IDEMPOTENCY)
                .where(IDEMPOTENCY.REQUEST_ID.eq(requestId))
                .and(IDEMPOTENCY.STATE.in(ACCEPTING, ACCEPTED))
                .and(IDEMPOTENCY.EXPIRES_AT.gt(utc(now)).or(IDEMPOTENCY.FINISHED_AT.isNull()))
                .limit(1)
                .fetchOptional(IDEMPOTENCY.ASK)
                .map(PostgresAskLedger::read);
    }

    @Override
    public void accepted(AskRequest ask, String method, String path, int status, String body) {
        bounded(() -> marks.call(new Accepted(ask, method, path, status, body), callTimeout));
    }

    @Override
    public CompletableFuture<Void> acceptedLater(AskRequest ask, String method, String path, int status, String body) {
        return marks.submit(new Accepted(ask, method, path, status, body));
    }

    /**
     * Claims a batch in one insert: each row is inserted, or takes over an entry whose TTL ran out
     * by the time of its claim; a live entry is left alone. The rows that did not win (a live entry,
     * or a second claim of one scope in the same batch) learn why one by one, as a lone claim would.
     */
    private List<Claim> claimAll(List<ClaimCall> calls) {
        Set<List<String>> scopes = new HashSet<>();
        List<ClaimCall> first = new ArrayList<>();
        for (ClaimCall call : calls) {
            if (scopes.add(call.scope())) {
                first.add(call); // one insert may not touch a row twice
            }
        }
        var insert = db.insertInto(
                IDEMPOTENCY,
                IDEMPOTENCY.USER_ID,
                IDEMPOTENCY.METHOD,
                IDEMPOTENCY.PATH,
                IDEMPOTENCY.IDEMPOTENCY_KEY,
                IDEMPOTENCY.FINGERPRINT,
                IDEMPOTENCY.REQUEST_ID,
                IDEMPOTENCY.STATE,
                IDEMPOTENCY.ASK,
                IDEMPOTENCY.CREATED_AT,
                IDEMPOTENCY.EXPIRES_AT);
        for (ClaimCall call : first) {
            insert = insert.values(
                    call.ask().userId(),
                    call.method(),
                    call.path(),
                    call.ask().idempotencyKey(),
                    call.fingerprint(),
                    call.ask().requestId(),
                    ACCEPTING,
                    write(call.ask()),
                    utc(call.now()),
                    utc(call.expiresAt()));
        }
        Set<String> won = insert.onConflict(
                        IDEMPOTENCY.USER_ID, IDEMPOTENCY.METHOD, IDEMPOTENCY.PATH, IDEMPOTENCY.IDEMPOTENCY_KEY)
                .doUpdate()
                .set(IDEMPOTENCY.FINGERPRINT, DSL.excluded(IDEMPOTENCY.FINGERPRINT))
                .set(IDEMPOTENCY.REQUEST_ID, DSL.excluded(IDEMPOTENCY.REQUEST_ID))
                .set(IDEMPOTENCY.STATE, DSL.excluded(IDEMPOTENCY.STATE))
                .set(IDEMPOTENCY.ASK, DSL.excluded(IDEMPOTENCY.ASK))
                .setNull(IDEMPOTENCY.RESPONSE_STATUS)
                .setNull(IDEMPOTENCY.RESPONSE_BODY)
                .setNull(IDEMPOTENCY.LEASED_UNTIL)
                .setNull(IDEMPOTENCY.FAILURE_REASON)
                .setNull(IDEMPOTENCY.FINISHED_AT)
                .set(IDEMPOTENCY.CREATED_AT, DSL.excluded(IDEMPOTENCY.CREATED_AT))
                .set(IDEMPOTENCY.EXPIRES_AT, DSL.excluded(IDEMPOTENCY.EXPIRES_AT))
                .where(IDEMPOTENCY.EXPIRES_AT.le(DSL.excluded(IDEMPOTENCY.CREATED_AT)))
                .returning(IDEMPOTENCY.REQUEST_ID)
                .fetchSet(IDEMPOTENCY.REQUEST_ID);
        List<Claim> answers = new ArrayList<>(calls.size());
        for (ClaimCall call : calls) {
            answers.add(won.contains(call.ask().requestId()) ? new Claim.Won() : lost(call));
        }
        return answers;
    }

    /** Why a claim did not win: the entry that holds its scope. */
    private Claim lost(ClaimCall call) {
        AskRequest ask = call.ask();
        IdempotencyRecord existing = db.selectFrom(IDEMPOTENCY)
                .where(scope(ask.userId(), call.method(), call.path(), ask.idempotencyKey()))
                .fetchOptional()
                .orElse(null);
        if (existing == null) {
            // it expired and was purged after the insert: try again
            return claimAll(List.of(call)).getFirst();
        }
        if (!existing.getFingerprint().equals(call.fingerprint())) {
            return new Claim.Mismatch();
        }
        if (ACCEPTED.equals(existing.getState())) {
            return new Claim.Replay(existing.getResponseStatus(), existing.getResponseBody(), existing.getRequestId());
        }
        if (DEAD.equals(existing.getState())) {
            return new Claim.SetAside(existing.getFailureReason(), existing.getRequestId());
        }
        return new Claim.InProgress(existing.getRequestId());
    }

    /** Marks a batch accepted: one statement, its values bound once per ask, in one transaction. */
    private List<Void> markAll(List<Accepted> accepted) {
        db.transaction(tx -> {
            var batch = tx.dsl()
                    .batch(tx.dsl()
                            .update(IDEMPOTENCY)
                            .set(IDEMPOTENCY.STATE, ACCEPTED)
                            .set(IDEMPOTENCY.RESPONSE_STATUS, (Integer) null)
                            .set(IDEMPOTENCY.RESPONSE_BODY, (String) null)
                            .where(scope(null, null, null, null))
                            .and(IDEMPOTENCY.REQUEST_ID.eq((String) null)));
            for (Accepted a : accepted) {
                // in the statement's order: the SET values, then the WHERE values
                batch = batch.bind(
                        ACCEPTED,
                        a.status(),
                        a.body(),
                        a.ask().userId(),
                        a.method(),
                        a.path(),
                        a.ask().idempotencyKey(),
                        a.ask().requestId());
            }
            batch.execute();
        });
        return Collections.nCopies(accepted.size(), null); // a mark answers nothing, as before
    }

    /**
     * Runs a call to a batcher; an interrupt (the service is stopping) or no answer in time is the
     * database being gone.
     */
    private <T> T bounded(BoundedCall<T> call) {
        try {
            return call.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataAccessException("interrupted while waiting for the ledger", e);
        } catch (TimeoutException e) {
            throw new DataAccessException("the ledger did not answer within " + callTimeout.toMillis() + " ms", e);
        }
    }

    @FunctionalInterface
    private interface BoundedCall<T> {
        T run() throws InterruptedException, TimeoutException;
    }

    @Override
    public void setAside(AskRequest ask, String method, String path, String reason) {
        markDead(scope(ask.userId(), method, path, ask.idempotencyKey()), ask.requestId(), reason);
    }

    @Override
    public void release(AskRequest ask, String method, String path) {
        db.deleteFrom(IDEMPOTENCY)
                .where(scope(ask.userId(), method, path, ask.idempotencyKey()))
                .and(IDEMPOTENCY.REQUEST_ID.eq(ask.requestId()))
                .and(IDEMPOTENCY.STATE.eq(ACCEPTING))
                .execute();
    }

    @Override
    public Recovered unpublished(Instant claimedBefore, int limit, Duration lease, Recovery recovery) {
        return new LedgerRecovery(db, this::markDead).round(claimedBefore, limit, lease, recovery);
    }

    /** Sets the entry of {@code scope} aside as dead for {@code reason}, if it still holds that ask. */
    Failure markDead(Condition scope, String requestId, String reason) {
        db.update(IDEMPOTENCY)
                .set(IDEMPOTENCY.STATE, DEAD)
                .set(IDEMPOTENCY.FAILURE_REASON, reason)
                .setNull(IDEMPOTENCY.LEASED_UNTIL)
                .where(scope)
                .and(IDEMPOTENCY.REQUEST_ID.eq(requestId))
                .and(IDEMPOTENCY.STATE.eq(ACCEPTING))
                .execute();
        return new Failure(requestId, reason);
    }

    /**
     * Deletes accepted entries whose key expired (those whose ask has no result yet once they are
     * also {@code keepUnfinished} old), and entries set aside {@link #DEAD_KEPT} after theirs did, {@link #PURGE_BATCH} rows to a statement so that each stays well within the
     * statement timeout however far behind the purge is.
     */
    @Override
    public int purgeExpired(Instant now) {
        Condition due = IDEMPOTENCY
                .STATE
                .eq(ACCEPTED)
                .and(IDEMPOTENCY.EXPIRES_AT.le(utc(now)))
                .and(IDEMPOTENCY.FINISHED_AT.isNotNull().or(IDEMPOTENCY.CREATED_AT.le(utc(now.minus(keepUnfinished)))))
                .or(IDEMPOTENCY.STATE.eq(DEAD).and(IDEMPOTENCY.EXPIRES_AT.le(utc(now.minus(DEAD_KEPT)))));
        int total = 0;
        int deleted;
        do {
            deleted = db.deleteFrom(IDEMPOTENCY)
                    .where(DSL.row(
                                    IDEMPOTENCY.USER_ID,
                                    IDEMPOTENCY.METHOD,
                                    IDEMPOTENCY.PATH,
                                    IDEMPOTENCY.IDEMPOTENCY_KEY)
                            .in(db.select(
                                            IDEMPOTENCY.USER_ID,
                                            IDEMPOTENCY.METHOD,
                                            IDEMPOTENCY.PATH,
                                            IDEMPOTENCY.IDEMPOTENCY_KEY)
                                    .from(IDEMPOTENCY)
                                    .where(due)
                                    .limit(PURGE_BATCH)))
                    .execute();
            total += deleted;
        } while (deleted == PURGE_BATCH);
        return total;
    }

    /** Finishes the claims and marks handed in already, then refuses more. */
    @Override
    public void close() {
        claims.close();
        marks.close();
    }

    static Condition scope(String userId, String method, String path, String key) {
        return DSL.and(
                IDEMPOTENCY.USER_ID.eq(userId),
                IDEMPOTENCY.METHOD.eq(method),
                IDEMPOTENCY.PATH.eq(path),
                IDEMPOTENCY.IDEMPOTENCY_KEY.eq(key));
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    static String write(AskRequest ask) {
        try {
            return Json.mapper().writeValueAsString(ask);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ask always serializes", e);
        }
    }

    static AskRequest read(String json) {
        try {
            return Json.mapper().readValue(json, AskRequest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the ledger holds an ask that does not parse", e);
        }
    }
}
