package io.askpipe.store.sink;

import static io.askpipe.store.db.Tables.ASKS;
import static org.jooq.impl.DSL.excluded;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.JoinedAsk;
import io.askpipe.store.db.tables.records.AsksRecord;
import io.askpipe.store.notify.Notifications;
import io.askpipe.store.view.AskView;
import io.askpipe.store.view.UsageView;
import io.askpipe.store.webhook.WebhookDeliveries;
import io.askpipe.store.webhook.WebhookEvent;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.InsertSetMoreStep;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code asks} table, through jOOQ. Writes are batched, idempotent upserts that only ever move an
 * ask forward: a queued row becomes terminal once, and a terminal row never changes again, so
 * replaying the topics or delivering a result twice does not change what a client sees.
 *
 * <p>Nothing older than the retention period is ever written anew: a terminal ask that completed
 * before it, or an unfinished one accepted before it, only updates a row that still exists. Such
 * an ask is one the purge has deleted (or would delete at once), so a replay of the topics, or a
 * consumer group whose offsets expired and that reads from the beginning, cannot bring it back or
 * owe its webhook again. Thread-safe.
 */
public final class AskRepository {
    private static final Logger LOG = LoggerFactory.getLogger(AskRepository.class);
    private static final List<String> TERMINAL = AskStatus.terminalWireNames();

    private final DSLContext db;
    private final Clock clock;
    private final Duration retention;

    /** The table through {@code db}; {@code retention} is {@code STORE_RETENTION}, the horizon of writes. */
    public AskRepository(DSLContext db, Clock clock, Duration retention) {
        this.db = db;
        this.clock = clock;
        this.retention = retention;
    }

    /** Records one ask: {@link #write} of just {@code request} with its {@code result}, if any. */
    public void upsert(AskRequest request, AskResult result) {
        write(List.of(new JoinedAsk(request, null, result)));
    }

    /** Records one ask: {@link #write} of just it. */
    void upsert(AskRequest request, AskProgress progress, AskResult result) {
        write(List.of(new JoinedAsk(request, progress, result)));
    }

    /**
     * Records a batch of joined asks in one transaction, with one statement per kind of change,
     * whatever the batch's size: each ask with its result when it has one; else as running when a
     * worker has started on it, which only ever moves a queued ask on; else as queued. Of several
     * records for one ask, the last counts (a later record only adds to an earlier one). An ask that
     * becomes terminal here wakes its long-polling clients and owes its webhook, both at commit.
     * An ask past the retention period whose row is gone is left out (see the class comment).
     * Returns the asks this batch made terminal, in request id order.
     */
    public List<JoinedAsk> write(Collection<JoinedAsk> batch) {
        // one row per ask, in key order, so that concurrent writers lock rows in the same order
        Map<String, JoinedAsk> latest = new TreeMap<>();
        for (JoinedAsk joined : batch) {
            latest.put(joined.request().requestId(), joined);
        }
        Instant now = clock.instant();
        Instant horizon = now.minus(retention);
        Set<String> past = new HashSet<>();
        for (JoinedAsk joined : latest.values()) {
            if (pastRetention(joined, horizon)) {
                past.add(joined.request().requestId());
            }
        }
        return db.transactionResult(configuration -> {
            DSLContext tx = DSL.using(configuration);
            if (!past.isEmpty()) {
                // the lock keeps a purge from deleting, between this check and the upserts, a row
                // that is found here
                Set<String> present = tx.select(ASKS.REQUEST_ID)
                        .from(ASKS)
                        .where(ASKS.REQUEST_ID.in(past))
                        .orderBy(ASKS.REQUEST_ID)
                        .forUpdate()
                        .fetchSet(ASKS.REQUEST_ID);
                int forgotten = past.size() - present.size();
                if (forgotten > 0) {
                    LOG.debug("left out {} asks past the retention period, purged already", forgotten);
                }
                latest.keySet().removeIf(id -> past.contains(id) && !present.contains(id));
            }
            List<AsksRecord> queued = new ArrayList<>();
            List<AsksRecord> running = new ArrayList<>();
            List<AsksRecord> terminal = new ArrayList<>();
            for (JoinedAsk joined : latest.values()) {
                AsksRecord row = requestRow(joined.request(), now);
                if (joined.result() != null) {
                    terminal.add(withResult(row, joined.result()));
                } else if (joined.progress() != null) {
                    row.setStatus(AskStatus.RUNNING.wireName());
                    row.setBackend(joined.progress().backend());
                    running.add(row);
                } else {
                    row.setStatus(AskStatus.QUEUED.wireName());
                    queued.add(row);
                }
            }
            if (!queued.isEmpty()) {
                rows(tx, queued).onConflictDoNothing().execute();
            }
            if (!running.isEmpty()) {
                rows(tx, running)
                        .onConflict(ASKS.REQUEST_ID)
                        .doUpdate()
                        .set(ASKS.STATUS, excluded(ASKS.STATUS))
                        .set(ASKS.BACKEND, excluded(ASKS.BACKEND))
                        .set(ASKS.UPDATED_AT, excluded(ASKS.UPDATED_AT))
                        .where(ASKS.STATUS.eq(AskStatus.QUEUED.wireName()))
                        .execute();
            }
            if (terminal.isEmpty()) {
                return List.of();
            }
            // only the asks this statement made terminal come back: a replayed or repeated result
            // finds its row terminal already and changes nothing
            Set<String> completed = new HashSet<>(rows(tx, terminal)
                    .onConflict(ASKS.REQUEST_ID)
                    .doUpdate()
                    .set(ASKS.STATUS, excluded(ASKS.STATUS))
                    .set(ASKS.BACKEND, excluded(ASKS.BACKEND))
                    .set(ASKS.MODEL, excluded(ASKS.MODEL))
                    .set(ASKS.ANSWER, excluded(ASKS.ANSWER))
                    .set(ASKS.PROMPT_TOKENS, excluded(ASKS.PROMPT_TOKENS))
                    .set(ASKS.COMPLETION_TOKENS, excluded(ASKS.COMPLETION_TOKENS))
                    .set(ASKS.TOTAL_TOKENS, excluded(ASKS.TOTAL_TOKENS))
                    .set(ASKS.LATENCY_MS, excluded(ASKS.LATENCY_MS))
                    .set(ASKS.WAITED_MS, excluded(ASKS.WAITED_MS))
                    .set(ASKS.ATTEMPTS, excluded(ASKS.ATTEMPTS))
                    .set(ASKS.ERROR_TYPE, excluded(ASKS.ERROR_TYPE))
                    .set(ASKS.ERROR_MESSAGE, excluded(ASKS.ERROR_MESSAGE))
                    .set(ASKS.ERROR_HTTP_STATUS, excluded(ASKS.ERROR_HTTP_STATUS))
                    .set(ASKS.FINISH_REASON, excluded(ASKS.FINISH_REASON))
                    .set(ASKS.MESSAGE, excluded(ASKS.MESSAGE))
                    .set(ASKS.CACHED_TOKENS, excluded(ASKS.CACHED_TOKENS))
                    .set(ASKS.REASONING_TOKENS, excluded(ASKS.REASONING_TOKENS))
                    .set(ASKS.SYSTEM_FINGERPRINT, excluded(ASKS.SYSTEM_FINGERPRINT))
                    .set(ASKS.COMPLETED_AT, excluded(ASKS.COMPLETED_AT))
                    .set(ASKS.UPDATED_AT, excluded(ASKS.UPDATED_AT))
                    .where(ASKS.STATUS.notIn(TERMINAL))
                    .returning(ASKS.REQUEST_ID)
                    .fetch(ASKS.REQUEST_ID));
            if (completed.isEmpty()) {
                return List.of();
            }
            // wakes the clients long-polling these asks, on every result-store instance, at commit
            Notifications.notifyEach(tx, Notifications.ASK_DONE, completed);
            List<JoinedAsk> finished = new ArrayList<>(completed.size());
            for (AsksRecord row : terminal) {
                if (!completed.contains(row.getRequestId())) {
                    continue;
                }
                JoinedAsk joined = latest.get(row.getRequestId());
                finished.add(joined);
                if (row.getCallbackUrl() != null) {
                    // in the same transaction, so that an ask never becomes terminal without its webhook
                    WebhookDeliveries.enqueue(
                            tx,
                            row.getRequestId(),
                            row.getUserId(),
                            row.getCallbackUrl(),
                            WebhookEvent.of(AskRows.view(row)).json(),
                            joined.request().traceparent(),
                            now);
                }
            }
            return finished;
        });
    }

    /**
     * Whether {@code joined} is one the purge deletes: terminal and completed before
     * {@code horizon}, or unfinished and accepted before it. An ask completes after it is accepted,
     * so every purged ask is past the horizon from the moment it is purged.
     */
    private static boolean pastRetention(JoinedAsk joined, Instant horizon) {
        Instant since = joined.result() != null
                ? joined.result().completedAt()
                : joined.request().acceptedAt();
        return since.isBefore(horizon);
    }

    /** A multi-row INSERT of {@code rows}, every column given (unset ones as NULL) on every row. */
    private static InsertSetMoreStep<AsksRecord> rows(DSLContext tx, List<AsksRecord> rows) {
        rows.forEach(row -> row.changed(true));
        InsertSetMoreStep<AsksRecord> insert = tx.insertInto(ASKS).set(rows.getFirst());
        for (AsksRecord row : rows.subList(1, rows.size())) {
            insert = insert.newRecord().set(row);
        }
        return insert;
    }

    private AsksRecord requestRow(AskRequest request, Instant now) {
        AsksRecord row = db.newRecord(ASKS);
        row.setRequestId(request.requestId());
        row.setUserId(request.userId());
        row.setIdempotencyKey(request.idempotencyKey());
        row.setPrompt(request.prompt());
        row.setRequestedModel(request.model());
        row.setRequestedBackend(request.backend());
        row.setAcceptedAt(utc(request.acceptedAt()));
        row.setCallbackUrl(request.callbackUrl());
        row.setMetadata(AskRows.metadata(request.metadata()));
        row.setUpdatedAt(utc(now));
        return row;
    }

    private static AsksRecord withResult(AsksRecord row, AskResult result) {
        row.setStatus(result.status().wireName());
        row.setBackend(result.backend());
        row.setModel(result.model());
        row.setAnswer(result.answer());
        row.setPromptTokens(result.usage().promptTokens());
        row.setCompletionTokens(result.usage().completionTokens());
        row.setTotalTokens(result.usage().totalTokens());
        row.setLatencyMs(result.latencyMs());
        row.setWaitedMs(result.waitedMs());
        row.setAttempts(result.attempts());
        row.setCompletedAt(utc(result.completedAt()));
        AskRows.reply(row, result);
        if (result.error() != null) {
            row.setErrorType(result.error().type().wireName());
            row.setErrorMessage(result.error().message());
            row.setErrorHttpStatus(result.error().httpStatus());
        }
        return row;
    }

    /** The ask with id {@code requestId} if it is known and belongs to {@code userId}. */
    public Optional<AskView> find(String requestId, String userId) {
        return db.selectFrom(ASKS)
                .where(ASKS.REQUEST_ID.eq(requestId))
                .and(ASKS.USER_ID.eq(userId))
                .fetchOptional()
                .map(AskRows::view);
    }

    /**
     * Up to {@code limit} of {@code userId}'s asks, newest first, in {@code status} if given, older
     * than the ask {@code before} if given (the keyset of the previous page).
     */
    public List<AskView> list(String userId, AskStatus status, String before, int limit) {
        return list(userId, status, Map.of(), before, limit);
    }

    /**
     * Up to {@code limit} of {@code userId}'s asks, newest first, in {@code status} if given, whose
     * metadata holds every pair of {@code metadata} (none: any ask), older than the ask {@code
     * before} if given (the keyset of the previous page).
     */
    public List<AskView> list(String userId, AskStatus status, Map<String, String> metadata, String before, int limit) {
        var condition = ASKS.USER_ID.eq(userId);
        if (status != null) {
            condition = condition.and(ASKS.STATUS.eq(status.wireName()));
        }
        if (!metadata.isEmpty()) {
            // jsonb containment, served by the metadata column's GIN index
            condition = condition.and(DSL.condition("{0} @> {1}", ASKS.METADATA, DSL.val(AskRows.metadata(metadata))));
        }
        if (before != null) {
            condition = condition.and(ASKS.REQUEST_ID.lt(before));
        }
        return db.selectFrom(ASKS)
                .where(condition)
                .orderBy(ASKS.REQUEST_ID.desc())
                .limit(limit)
                .fetch(AskRows::view);
    }

    /**
     * Up to {@code batch} of the asks that the purge may delete at {@code cutoff}: terminal before
     * it and not waiting for a webhook delivery, or still unfinished although accepted before it (a
     * worker no longer runs an ask that old, so it would never finish). Asks whose webhook is still
     * being delivered are never purged.
     */
    public List<String> expired(Instant cutoff, int batch) {
        List<String> due = new ArrayList<>(db.select(ASKS.REQUEST_ID)
                .from(ASKS)
                .where(completedBefore(cutoff))
                .orderBy(ASKS.COMPLETED_AT)
                .limit(batch)
                .fetch(ASKS.REQUEST_ID));
        if (due.size() < batch) {
            due.addAll(db.select(ASKS.REQUEST_ID)
                    .from(ASKS)
                    .where(abandonedBefore(cutoff))
                    .orderBy(ASKS.ACCEPTED_AT)
                    .limit(batch - due.size())
                    .fetch(ASKS.REQUEST_ID));
        }
        return due;
    }

    /**
     * Deletes those of {@code requestIds} that are still {@link #expired} at {@code cutoff}, with
     * their webhook deliveries and attempts; returns how many.
     */
    public int delete(Collection<String> requestIds, Instant cutoff) {
        if (requestIds.isEmpty()) {
            return 0;
        }
        return db.deleteFrom(ASKS)
                .where(ASKS.REQUEST_ID.in(requestIds))
                .and(completedBefore(cutoff).or(abandonedBefore(cutoff)))
                .execute();
    }

    private static Condition completedBefore(Instant cutoff) {
        return ASKS.COMPLETED_AT
                .lt(utc(cutoff))
                .and(ASKS.STATUS.in(TERMINAL))
                .and(WebhookDeliveries.noPendingDelivery());
    }

    private static Condition abandonedBefore(Instant cutoff) {
        return ASKS.STATUS
                .in(AskStatus.QUEUED.wireName(), AskStatus.RUNNING.wireName())
                .and(ASKS.ACCEPTED_AT.lt(utc(cutoff)));
    }

    /** What {@code userId} has asked so far, and the tokens their answers used. */
    public UsageView usage(String userId) {
        var succeeded = DSL.count().filterWhere(ASKS.STATUS.eq(AskStatus.SUCCEEDED.wireName()));
        var failed = DSL.count().filterWhere(ASKS.STATUS.eq(AskStatus.FAILED.wireName()));
        var expired = DSL.count().filterWhere(ASKS.STATUS.eq(AskStatus.EXPIRED.wireName()));
        var cancelled = DSL.count().filterWhere(ASKS.STATUS.eq(AskStatus.CANCELLED.wireName()));
        var promptTokens = DSL.coalesce(DSL.sum(ASKS.PROMPT_TOKENS), BigDecimal.ZERO);
        var completionTokens = DSL.coalesce(DSL.sum(ASKS.COMPLETION_TOKENS), BigDecimal.ZERO);
        var totalTokens = DSL.coalesce(DSL.sum(ASKS.TOTAL_TOKENS), BigDecimal.ZERO);
        var row = db.select(
                        DSL.count(), succeeded, failed, expired, cancelled, promptTokens, completionTokens, totalTokens)
                .from(ASKS)
                .where(ASKS.USER_ID.eq(userId))
                .fetchSingle();
        int submitted = row.value1();
        return new UsageView(
                userId,
                new UsageView.Asks(
                        submitted,
                        submitted - row.value2() - row.value3() - row.value4() - row.value5(),
                        row.value2(),
                        row.value3(),
                        row.value4(),
                        row.value5()),
                new UsageView.Tokens(
                        row.value6().longValueExact(),
                        row.value7().longValueExact(),
                        row.value8().longValueExact()));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
