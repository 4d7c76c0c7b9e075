package io.askpipe.store.sink;

import static io.askpipe.store.db.Tables.ASKS;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.store.view.AskView;
import io.askpipe.store.view.UsageView;
import io.askpipe.store.webhook.WebhookDeliveries;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code asks} table, through jOOQ. Writes are batched, idempotent upserts of an ask's parts
 * (its request, progress and result, in whichever order they come) that only ever move an ask
 * forward: a queued row becomes terminal once, and a terminal row never changes again, so replaying
 * the topics or delivering a result twice does not change what a client sees. A part that comes
 * before its request makes a partial row, without the request's columns; every read here filters
 * by user, so clients never see one (docs/adr/0031).
 *
 * <p>Nothing older than the retention period is ever written anew: a request accepted before it,
 * progress started before it or a result completed before it only updates a row that still
 * exists. Its ask is one the purge has deleted (or would delete at once), so a replay of the
 * topics, or a consumer group whose offsets expired and that reads from the beginning, cannot bring
 * it back or owe its webhook again. Thread-safe.
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

    /** Records one ask: {@link #write} of {@code request} and of its {@code result}, if not null. */
    public void upsert(AskRequest request, AskResult result) {
        upsert(request, null, result);
    }

    /** Records one ask: {@link #write} of {@code request}, and of its {@code progress} and {@code result} if not null. */
    void upsert(AskRequest request, AskProgress progress, AskResult result) {
        List<AskPart> parts = new ArrayList<>(3);
        parts.add(new AskPart.Request(request));
        if (progress != null) {
            parts.add(new AskPart.Progress(progress));
        }
        if (result != null) {
            parts.add(new AskPart.Result(result));
        }
        write(parts);
    }

    /**
     * Records a write's parts of asks (a poll's) in one transaction, with one statement per kind of
     * part, whatever their number ({@link AskUpserts}). Of several parts of one kind for one ask,
     * the last counts. An ask that becomes visible terminal here (it has its request and its result
     * for the first time) wakes its long-polling clients and owes its webhook, both at commit. A
     * part past the retention period (see the class comment) of an ask whose row is gone is left
     * out. Returns the asks this write made visible terminal, in request id order.
     */
    public List<FinishedAsk> write(Collection<AskPart> parts) {
        SortedMap<String, MergedAsk> merged = MergedAsk.byRequestId(parts);
        Instant now = clock.instant();
        Instant horizon = now.minus(retention);
        Set<String> past = new TreeSet<>();
        for (MergedAsk ask : merged.values()) {
            if (ask.anyBefore(horizon)) {
                past.add(ask.requestId());
            }
        }
        return db.transactionResult(configuration -> {
            DSLContext tx = DSL.using(configuration);
            SortedMap<String, MergedAsk> asks = new TreeMap<>(merged);
            if (!past.isEmpty()) {
                // the lock keeps a purge from deleting, between this check and the upserts, a row
                // that is found here
                Set<String> present = tx.select(ASKS.REQUEST_ID)
                        .from(ASKS)
                        .where(ASKS.REQUEST_ID.in(past))
                        .orderBy(ASKS.REQUEST_ID)
                        .forUpdate()
                        .fetchSet(ASKS.REQUEST_ID);
                int forgotten = 0;
                for (String id : past) {
                    if (!present.contains(id)) {
                        MergedAsk kept = asks.get(id).without(horizon);
                        forgotten++;
                        if (kept.isEmpty()) {
                            asks.remove(id);
                        } else {
                            asks.put(id, kept);
                        }
                    }
                }
                if (forgotten > 0) {
                    LOG.debug("left out parts of {} asks past the retention period, purged already", forgotten);
                }
            }
            return AskUpserts.write(tx, asks.values(), now);
        });
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
     * being delivered are never purged. Partial rows go the same way: a terminal one by when it
     * completed, an unfinished one (progress whose request never came) by when it was last written.
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
                .and(ASKS.ACCEPTED_AT
                        .lt(utc(cutoff))
                        // a partial row has no acceptance time: it goes by its last write
                        .or(ASKS.ACCEPTED_AT.isNull().and(ASKS.UPDATED_AT.lt(utc(cutoff)))));
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
