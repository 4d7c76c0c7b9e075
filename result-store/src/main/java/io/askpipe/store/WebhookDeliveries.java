package io.askpipe.store;

import static io.askpipe.store.db.Tables.ASKS;
import static io.askpipe.store.db.Tables.WEBHOOK_ATTEMPTS;
import static io.askpipe.store.db.Tables.WEBHOOK_DELIVERIES;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.askpipe.store.db.tables.records.WebhookAttemptsRecord;
import io.askpipe.store.db.tables.records.WebhookDeliveriesRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The webhook outbox: one delivery per ask that has a callback, and every attempt made at it.
 * Instances share it safely: {@link #claimDue} takes due deliveries with {@code FOR UPDATE SKIP
 * LOCKED} and leases them by moving their next attempt past the lease, so an instance that dies
 * mid-attempt leaves the delivery to another one once the lease runs out. Thread-safe.
 */
final class WebhookDeliveries {
    static final String PENDING = "pending";
    static final String SUCCEEDED = "succeeded";
    static final String DEAD = "dead";

    private final DSLContext db;
    private final Clock clock;

    WebhookDeliveries(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * A delivery claimed for one attempt; {@code askKey} is its ask's Idempotency-Key, by which chaos
     * mode places a failure.
     */
    record Due(
            String requestId,
            String askKey,
            String userId,
            String webhookId,
            String url,
            String payload,
            String traceparent,
            int attempt,
            int round) {}

    /** How one attempt ended: a response's status code, or an error and no status. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Attempt(int attempt, Instant attemptedAt, Integer statusCode, long latencyMs, String error) {}

    /** A delivery as its owner sees it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeliveryView(String webhookId, String url, String status, Instant nextAttemptAt, List<Attempt> attempts) {}

    /**
     * Claims up to {@code limit} due deliveries for one attempt each, leasing them until {@code
     * leaseUntil}; each comes with its attempt number, counted from 1, and its attempt number within
     * the current retry schedule.
     */
    List<Due> claimDue(int limit, Instant leaseUntil) {
        // the locking select is a materialized CTE so that it runs exactly once, whatever plan
        // the UPDATE gets
        return db.resultQuery("""
                        WITH due AS MATERIALIZED (
                            SELECT request_id FROM webhook_deliveries
                            WHERE status = ? AND next_attempt_at <= CAST(? AS timestamp with time zone)
                            ORDER BY next_attempt_at
                            LIMIT ?
                            FOR UPDATE SKIP LOCKED)
                        UPDATE webhook_deliveries d
                        SET attempts = d.attempts + 1,
                            next_attempt_at = CAST(? AS timestamp with time zone),
                            updated_at = CAST(? AS timestamp with time zone)
                        FROM due JOIN asks a ON a.request_id = due.request_id
                        WHERE d.request_id = due.request_id
                        RETURNING d.request_id, a.idempotency_key, d.user_id, d.webhook_id, d.url, d.payload,
                            d.traceparent, d.attempts, d.round_start
                        """, PENDING, utc(clock.instant()), limit, utc(leaseUntil), utc(clock.instant()))
                .fetch(row -> new Due(
                        row.get(0, String.class),
                        row.get(1, String.class),
                        row.get(2, String.class),
                        row.get(3, String.class),
                        row.get(4, String.class),
                        row.get(5, String.class),
                        row.get(6, String.class),
                        row.get(7, Integer.class),
                        row.get(7, Integer.class) - row.get(8, Integer.class)));
    }

    /**
     * Records {@code attempt} of {@code due} and moves the delivery on: to {@code status}, and (when
     * it stays pending) to its next attempt at {@code nextAttemptAt}. Does nothing to the delivery
     * if another attempt has been claimed since, as after an expired lease.
     */
    void record(Due due, Attempt attempt, String status, Instant nextAttemptAt) {
        db.transaction(configuration -> {
            DSLContext tx = DSL.using(configuration);
            WebhookAttemptsRecord row = tx.newRecord(WEBHOOK_ATTEMPTS);
            row.setRequestId(due.requestId());
            row.setAttempt(attempt.attempt());
            row.setAttemptedAt(utc(attempt.attemptedAt()));
            row.setStatusCode(attempt.statusCode());
            row.setLatencyMs(attempt.latencyMs());
            row.setError(attempt.error() == null ? null : truncate(attempt.error(), 512));
            tx.insertInto(WEBHOOK_ATTEMPTS).set(row).onConflictDoNothing().execute();
            tx.update(WEBHOOK_DELIVERIES)
                    .set(WEBHOOK_DELIVERIES.STATUS, status)
                    .set(WEBHOOK_DELIVERIES.NEXT_ATTEMPT_AT, utc(nextAttemptAt))
                    .set(WEBHOOK_DELIVERIES.UPDATED_AT, utc(clock.instant()))
                    .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(due.requestId()))
                    .and(WEBHOOK_DELIVERIES.ATTEMPTS.eq(due.attempt()))
                    .and(WEBHOOK_DELIVERIES.STATUS.eq(PENDING))
                    .execute();
        });
    }

    /** The delivery of {@code userId}'s ask {@code requestId}, with its attempts, if it has one. */
    Optional<DeliveryView> find(String requestId, String userId) {
        return db.selectFrom(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(requestId))
                .and(WEBHOOK_DELIVERIES.USER_ID.eq(userId))
                .fetchOptional()
                .map(this::view);
    }

    /**
     * Sends {@code userId}'s delivery for {@code requestId} again, now, with a fresh retry schedule
     * and the same {@code webhook-id}; a delivery still pending is only brought forward. Returns the
     * delivery, or empty if there is none.
     */
    Optional<DeliveryView> resend(String requestId, String userId) {
        OffsetDateTime now = utc(clock.instant());
        int changed = db.update(WEBHOOK_DELIVERIES)
                .set(
                        WEBHOOK_DELIVERIES.ROUND_START,
                        DSL.when(WEBHOOK_DELIVERIES.STATUS.eq(PENDING), WEBHOOK_DELIVERIES.ROUND_START)
                                .otherwise(WEBHOOK_DELIVERIES.ATTEMPTS))
                .set(WEBHOOK_DELIVERIES.STATUS, PENDING)
                .set(WEBHOOK_DELIVERIES.NEXT_ATTEMPT_AT, now)
                .set(WEBHOOK_DELIVERIES.UPDATED_AT, now)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(requestId))
                .and(WEBHOOK_DELIVERIES.USER_ID.eq(userId))
                .execute();
        if (changed > 0) {
            AskWaiters.notify(db, AskWaiters.WEBHOOK_CHANNEL, requestId);
        }
        return find(requestId, userId);
    }

    /**
     * Adds the delivery of a terminal ask to the outbox, due now, unless it has one; runs inside the
     * transaction ({@code tx}) that makes the ask terminal.
     */
    static void enqueue(
            DSLContext tx,
            String requestId,
            String userId,
            String url,
            String payload,
            String traceparent,
            Instant now) {
        WebhookDeliveriesRecord row = tx.newRecord(WEBHOOK_DELIVERIES);
        row.setRequestId(requestId);
        row.setUserId(userId);
        row.setWebhookId("msg_" + requestId);
        row.setUrl(url);
        row.setPayload(payload);
        row.setTraceparent(traceparent);
        row.setStatus(PENDING);
        row.setAttempts(0);
        row.setRoundStart(0);
        row.setNextAttemptAt(utc(now));
        row.setCreatedAt(utc(now));
        row.setUpdatedAt(utc(now));
        if (tx.insertInto(WEBHOOK_DELIVERIES).set(row).onConflictDoNothing().execute() > 0) {
            AskWaiters.notify(tx, AskWaiters.WEBHOOK_CHANNEL, requestId);
        }
    }

    /** How many deliveries wait for an attempt; for health and tests. */
    int pending() {
        return db.fetchCount(WEBHOOK_DELIVERIES, WEBHOOK_DELIVERIES.STATUS.eq(PENDING));
    }

    /** The condition, on {@code asks}, that an ask has no delivery still pending: only then may it go. */
    static org.jooq.Condition noPendingDelivery() {
        return DSL.notExists(DSL.selectOne()
                .from(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(ASKS.REQUEST_ID))
                .and(WEBHOOK_DELIVERIES.STATUS.eq(PENDING)));
    }

    private DeliveryView view(WebhookDeliveriesRecord row) {
        List<Attempt> attempts = db.selectFrom(WEBHOOK_ATTEMPTS)
                .where(WEBHOOK_ATTEMPTS.REQUEST_ID.eq(row.getRequestId()))
                .orderBy(WEBHOOK_ATTEMPTS.ATTEMPT)
                .fetch(a -> new Attempt(
                        a.getAttempt(),
                        a.getAttemptedAt().toInstant(),
                        a.getStatusCode(),
                        a.getLatencyMs(),
                        a.getError()));
        return new DeliveryView(
                row.getWebhookId(),
                row.getUrl(),
                row.getStatus(),
                PENDING.equals(row.getStatus()) ? row.getNextAttemptAt().toInstant() : null,
                attempts);
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
