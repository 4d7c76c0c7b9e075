package io.askpipe.store.webhook;

import static io.askpipe.store.db.Tables.ASKS;
import static io.askpipe.store.db.Tables.WEBHOOK_ATTEMPTS;
import static io.askpipe.store.db.Tables.WEBHOOK_DELIVERIES;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.askpipe.store.db.tables.records.WebhookAttemptsRecord;
import io.askpipe.store.db.tables.records.WebhookDeliveriesRecord;
import io.askpipe.store.notify.Notifications;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The webhook outbox: one delivery per ask that has a callback and per event of a batch that has
 * one, and every attempt made at it. A delivery is known by its {@code webhook-id}; an ask's also
 * by its request id, and it goes when its ask is purged. Instances share the outbox safely: {@link #claimDue} takes due deliveries with {@code FOR UPDATE SKIP
 * LOCKED} and leases them by moving their next attempt past the lease, so an instance that dies
 * mid-attempt leaves the delivery to another one once the lease runs out. Thread-safe.
 */
public final class WebhookDeliveries {
    static final String PENDING = "pending";
    static final String SUCCEEDED = "succeeded";
    static final String DEAD = "dead";

    private final DSLContext db;
    private final Clock clock;

    public WebhookDeliveries(DSLContext db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * A delivery claimed for one attempt: of an ask ({@code requestId}) or of a batch's event
     * ({@code batchId}); {@code faultPlace} is where chaos mode places a failure, its ask's
     * Idempotency-Key or, without an ask, its webhook-id; {@code host} is its destination as the
     * in-flight caps count it (the callback URL's host, lower case, without port or trailing dots).
     */
    record Due(
            Optional<String> requestId,
            Optional<String> batchId,
            String faultPlace,
            String userId,
            String webhookId,
            String url,
            String payload,
            String traceparent,
            int attempt,
            int round,
            String host) {

        /** What the delivery is about, for log lines: {@code request_id=...} or {@code batch_id=...}. */
        String subject() {
            return requestId.map(id -> "request_id=" + id).orElseGet(() -> "batch_id=" + batchId.orElse("?"));
        }
    }

    /** How one attempt ended: a response's status code, or an error and no status. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Attempt(int attempt, Instant attemptedAt, Integer statusCode, long latencyMs, String error) {}

    /** A delivery as its owner sees it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryView(
            String webhookId, String url, String status, Instant nextAttemptAt, List<Attempt> attempts) {}

    /**
     * What a claimer already has in flight, by user and by destination host, and how many of each it
     * may have: a claim takes no more than what is left of either cap.
     */
    record InFlight(Map<String, Integer> byUser, Map<String, Integer> byHost, int maxPerUser, int maxPerHost) {
        InFlight {
            byUser = Map.copyOf(byUser);
            byHost = Map.copyOf(byHost);
        }

        /** Nothing in flight, no cap that binds: as many as asked for, whoever they are for. */
        static InFlight none() {
            return new InFlight(Map.of(), Map.of(), Integer.MAX_VALUE, Integer.MAX_VALUE);
        }

        private static String[] full(Map<String, Integer> counts, int max) {
            return counts.entrySet().stream()
                    .filter(e -> e.getValue() >= max)
                    .map(Map.Entry::getKey)
                    .toArray(String[]::new);
        }
    }

    /** How many due rows one claim looks at per delivery it may take: room to skip capped ones. */
    private static final int SCAN_FACTOR = 4;

    /**
     * The destination of a delivery as the caps count it: the callback URL's host, lower case and
     * without user information or trailing dots, and its port unless it is the scheme's default, so
     * that {@code h.example}, {@code H.example.:443} and {@code u@h.example} (all https) are one
     * destination. Computed in SQL so that the claim can skip capped destinations; the claimer keys
     * its counts by the value the claim returns. Distinct names of one server (wildcard DNS) still
     * count apart: the address is only known when the attempt resolves it.
     */
    private static final String HOST;

    static {
        String authority = "^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?";
        String host = "(?:\\[[^]/?#]*\\]|[^:/?#]*)";
        String hostOf = "rtrim(lower(coalesce(substring(d.url from '" + authority + "(" + host + ")'), d.url)), '.')";
        String portOf = "substring(d.url from '" + authority + host + ":([0-9]{1,9})(?:[/?#]|$)')";
        String schemeOf = "lower(substring(d.url from '^([A-Za-z][A-Za-z0-9+.-]*):'))";
        HOST = hostOf + " || CASE WHEN " + portOf + " IS NULL"
                + " OR (" + schemeOf + " = 'https' AND " + portOf + "::integer = 443)"
                + " OR (" + schemeOf + " = 'http' AND " + portOf + "::integer = 80)"
                + " THEN '' ELSE ':' || " + portOf + "::integer END";
    }

    /** {@link #claimDue(int, Instant, InFlight)} with no caps. */
    List<Due> claimDue(int limit, Instant leaseUntil) {
        return claimDue(limit, leaseUntil, InFlight.none());
    }

    /**
     * Claims up to {@code limit} due deliveries for one attempt each, leasing them until {@code
     * leaseUntil}, and no more per user or per destination host than {@code inFlight} leaves room
     * for; each comes with its attempt number, counted from 1, and its attempt number within the
     * current retry schedule. Due deliveries of users or hosts at their cap are passed over: they
     * stay due, for the next claim after a slot frees, and do not hold back other users' deliveries.
     */
    List<Due> claimDue(int limit, Instant leaseUntil, InFlight inFlight) {
        // the locking select is a materialized CTE so that it runs exactly once, whatever plan
        // the UPDATE gets; it already leaves out users and hosts at their cap, so that their
        // backlog cannot fill the scan; the ranking then keeps each user and host within what is
        // left of its cap (rows it locked but does not take are unlocked when the statement ends)
        List<Map.Entry<String, Integer>> users = List.copyOf(inFlight.byUser().entrySet());
        List<Map.Entry<String, Integer>> hosts = List.copyOf(inFlight.byHost().entrySet());
        long scan = Math.min((long) limit * SCAN_FACTOR, 100_000);
        return db.resultQuery(
                        """
                        WITH candidates AS MATERIALIZED (
                            SELECT d.webhook_id, d.request_id, d.user_id, d.next_attempt_at, %1$s AS host
                            FROM webhook_deliveries d
                            WHERE d.status = ? AND d.next_attempt_at <= CAST(? AS timestamp with time zone)
                              AND d.user_id <> ALL (CAST(? AS varchar[]))
                              AND %1$s <> ALL (CAST(? AS varchar[]))
                            ORDER BY d.next_attempt_at
                            LIMIT ?
                            FOR UPDATE OF d SKIP LOCKED),
                        ranked AS (
                            SELECT c.webhook_id, c.request_id, c.host, c.next_attempt_at,
                                row_number() OVER (PARTITION BY c.user_id ORDER BY c.next_attempt_at, c.webhook_id)
                                    AS user_rank,
                                row_number() OVER (PARTITION BY c.host ORDER BY c.next_attempt_at, c.webhook_id)
                                    AS host_rank,
                                ? - coalesce(u.busy, 0) AS user_room,
                                ? - coalesce(h.busy, 0) AS host_room
                            FROM candidates c
                            LEFT JOIN unnest(CAST(? AS varchar[]), CAST(? AS integer[])) AS u(user_id, busy)
                                ON u.user_id = c.user_id
                            LEFT JOIN unnest(CAST(? AS varchar[]), CAST(? AS integer[])) AS h(host, busy)
                                ON h.host = c.host),
                        due AS MATERIALIZED (
                            SELECT webhook_id, request_id, host FROM ranked
                            WHERE user_rank <= user_room AND host_rank <= host_room
                            ORDER BY next_attempt_at
                            LIMIT ?)
                        UPDATE webhook_deliveries d
                        SET attempts = d.attempts + 1,
                            next_attempt_at = CAST(? AS timestamp with time zone),
                            updated_at = CAST(? AS timestamp with time zone)
                        FROM due LEFT JOIN asks a ON a.request_id = due.request_id
                        WHERE d.webhook_id = due.webhook_id
                        RETURNING d.request_id, d.batch_id, coalesce(a.idempotency_key, d.webhook_id), d.user_id,
                            d.webhook_id, d.url, d.payload, d.traceparent, d.attempts, d.round_start, due.host
                        """.formatted(HOST),
                        PENDING,
                        utc(clock.instant()),
                        InFlight.full(inFlight.byUser(), inFlight.maxPerUser()),
                        InFlight.full(inFlight.byHost(), inFlight.maxPerHost()),
                        scan,
                        inFlight.maxPerUser(),
                        inFlight.maxPerHost(),
                        users.stream().map(Map.Entry::getKey).toArray(String[]::new),
                        users.stream().map(Map.Entry::getValue).toArray(Integer[]::new),
                        hosts.stream().map(Map.Entry::getKey).toArray(String[]::new),
                        hosts.stream().map(Map.Entry::getValue).toArray(Integer[]::new),
                        limit,
                        utc(leaseUntil),
                        utc(clock.instant()))
                .fetch(row -> new Due(
                        Optional.ofNullable(row.get(0, String.class)),
                        Optional.ofNullable(row.get(1, String.class)),
                        row.get(2, String.class),
                        row.get(3, String.class),
                        row.get(4, String.class),
                        row.get(5, String.class),
                        row.get(6, String.class),
                        row.get(7, String.class),
                        row.get(8, Integer.class),
                        row.get(8, Integer.class) - row.get(9, Integer.class),
                        row.get(10, String.class)));
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
            row.setWebhookId(due.webhookId());
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
                    .where(WEBHOOK_DELIVERIES.WEBHOOK_ID.eq(due.webhookId()))
                    .and(WEBHOOK_DELIVERIES.ATTEMPTS.eq(due.attempt()))
                    .and(WEBHOOK_DELIVERIES.STATUS.eq(PENDING))
                    .execute();
        });
    }

    /** The delivery of {@code userId}'s ask {@code requestId}, with its attempts, if it has one. */
    public Optional<DeliveryView> find(String requestId, String userId) {
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
    public Optional<DeliveryView> resend(String requestId, String userId) {
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
            Notifications.notify(db, Notifications.WEBHOOK_DUE, requestId);
        }
        return find(requestId, userId);
    }

    /**
     * Adds the delivery of a terminal ask to the outbox, due now, unless it has one; runs inside the
     * transaction ({@code tx}) that makes the ask terminal.
     */
    public static void enqueue(
            DSLContext tx,
            String requestId,
            String userId,
            String url,
            String payload,
            String traceparent,
            Instant now) {
        WebhookDeliveriesRecord row = tx.newRecord(WEBHOOK_DELIVERIES);
        row.setRequestId(requestId);
        row.setWebhookId("msg_" + requestId);
        row.setTraceparent(traceparent);
        insert(tx, row, userId, url, payload, now);
    }

    /**
     * Adds the delivery of an event of the batch {@code batchId} to the outbox, due now, with the
     * event's id {@code eventId} as its {@code webhook-id}, unless the outbox has a delivery of that
     * id; returns whether it added one. Runs inside the caller's transaction ({@code tx}).
     */
    public static boolean enqueueBatchEvent(
            DSLContext tx, String eventId, String batchId, String userId, String url, String payload, Instant now) {
        WebhookDeliveriesRecord row = tx.newRecord(WEBHOOK_DELIVERIES);
        row.setBatchId(batchId);
        row.setWebhookId(eventId);
        return insert(tx, row, userId, url, payload, now);
    }

    private static boolean insert(
            DSLContext tx, WebhookDeliveriesRecord row, String userId, String url, String payload, Instant now) {
        row.setUserId(userId);
        row.setUrl(url);
        row.setPayload(payload);
        row.setStatus(PENDING);
        row.setAttempts(0);
        row.setRoundStart(0);
        row.setNextAttemptAt(utc(now));
        row.setCreatedAt(utc(now));
        row.setUpdatedAt(utc(now));
        if (tx.insertInto(WEBHOOK_DELIVERIES).set(row).onConflictDoNothing().execute() == 0) {
            return false;
        }
        Notifications.notify(tx, Notifications.WEBHOOK_DUE, row.getWebhookId());
        return true;
    }

    /** How many deliveries wait for an attempt; for health and tests. */
    int pending() {
        return db.fetchCount(WEBHOOK_DELIVERIES, WEBHOOK_DELIVERIES.STATUS.eq(PENDING));
    }

    /**
     * Deletes the deliveries of batches' events created before {@code cutoff}, with their attempts,
     * unless they are still pending, at most {@code batch} per statement; returns how many. An ask's
     * delivery goes with its ask instead.
     */
    public int purgeBatchEvents(Instant cutoff, int batch) {
        int total = 0;
        int deleted;
        do {
            deleted = db.deleteFrom(WEBHOOK_DELIVERIES)
                    .where(WEBHOOK_DELIVERIES.WEBHOOK_ID.in(DSL.select(WEBHOOK_DELIVERIES.WEBHOOK_ID)
                            .from(WEBHOOK_DELIVERIES)
                            .where(WEBHOOK_DELIVERIES.BATCH_ID.isNotNull())
                            .and(WEBHOOK_DELIVERIES.CREATED_AT.lt(utc(cutoff)))
                            .and(WEBHOOK_DELIVERIES.STATUS.ne(PENDING))
                            .limit(batch)))
                    .execute();
            total += deleted;
        } while (deleted == batch);
        return total;
    }

    /** The condition, on {@code asks}, that an ask has no delivery still pending: only then may it go. */
    public static org.jooq.Condition noPendingDelivery() {
        return DSL.notExists(DSL.selectOne()
                .from(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(ASKS.REQUEST_ID))
                .and(WEBHOOK_DELIVERIES.STATUS.eq(PENDING)));
    }

    private DeliveryView view(WebhookDeliveriesRecord row) {
        List<Attempt> attempts = db.selectFrom(WEBHOOK_ATTEMPTS)
                .where(WEBHOOK_ATTEMPTS.WEBHOOK_ID.eq(row.getWebhookId()))
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
