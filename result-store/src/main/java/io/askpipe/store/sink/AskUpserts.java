package io.askpipe.store.sink;

import static io.askpipe.store.db.Tables.ASKS;
import static org.jooq.impl.DSL.excluded;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.store.db.tables.records.AsksRecord;
import io.askpipe.store.notify.Notifications;
import io.askpipe.store.webhook.WebhookDeliveries;
import io.askpipe.store.webhook.WebhookEvent;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertSetMoreStep;

/**
 * The upserts that join a write's parts of asks into {@code store.asks}, inside the caller's
 * transaction: one multi-row statement per kind of part, each of which only ever moves a row
 * forward (docs/adr/0003, 0031).
 *
 * <ol>
 *   <li>Requests insert the row as {@code queued} ({@code running} when the write has the ask's
 *       progress too), or fill in the request's columns of a partial row, one that a result or
 *       progress made before the request came. A partial row that was terminal already becomes
 *       visible terminal here.
 *   <li>Progress without a result in the write inserts a partial {@code running} row, or moves a
 *       {@code queued} row to {@code running}.
 *   <li>Results insert a partial terminal row, or make a row terminal that was not. A row that has
 *       its request becomes visible terminal here; a partial one waits for its request.
 * </ol>
 *
 * <p>An ask becomes visible terminal in one of the two statements and once only, whatever the order
 * its parts came in and however often they are written again. For each such ask, in the same
 * transaction, its long-polling clients are notified and the webhook it owes is enqueued, built
 * from the row.
 */
final class AskUpserts {
    private static final List<String> TERMINAL = AskStatus.terminalWireNames();
    /**
     * What a statement returns of each row it wrote: every column but the prompt, which nothing
     * after the write reads and which may be megabytes.
     */
    private static final List<Field<?>> RETURNED = Arrays.stream(ASKS.fields())
            .filter(field -> !field.equals(ASKS.PROMPT))
            .toList();

    private AskUpserts() {}

    /**
     * Writes {@code asks} (in request id order) through {@code tx}, {@code now} being the time of
     * the write; returns the asks it made visible terminal, in request id order.
     */
    static List<FinishedAsk> write(DSLContext tx, Collection<MergedAsk> asks, Instant now) {
        List<AsksRecord> requests = new ArrayList<>();
        List<AsksRecord> progress = new ArrayList<>();
        List<AsksRecord> results = new ArrayList<>();
        for (MergedAsk ask : asks) {
            ask.request().ifPresent(request -> requests.add(requestRow(tx, request, ask.progress(), now)));
            if (ask.result().isPresent()) {
                results.add(resultRow(tx, ask.result().get(), now));
            } else {
                ask.progress().ifPresent(started -> progress.add(progressRow(tx, started, now)));
            }
        }
        Map<String, AsksRecord> visible = new TreeMap<>();
        if (!requests.isEmpty()) {
            for (AsksRecord row : upsertRequests(tx, requests)) {
                // a row returned terminal was a partial row whose result came first, now complete
                if (AskStatus.fromWire(row.getStatus()).terminal()) {
                    visible.put(row.getRequestId(), row);
                }
            }
        }
        if (!progress.isEmpty()) {
            upsertProgress(tx, progress);
        }
        if (!results.isEmpty()) {
            for (AsksRecord row : upsertResults(tx, results)) {
                // a row without a user is partial: it becomes visible when its request comes
                if (row.getUserId() != null) {
                    visible.put(row.getRequestId(), row);
                }
            }
        }
        return announce(tx, visible.values(), now);
    }

    /**
     * Statement a: inserts {@code rows}, or fills in the request's columns of the partial rows among
     * them; returns the rows it inserted (queued or running) and the partial rows it completed.
     */
    private static List<AsksRecord> upsertRequests(DSLContext tx, List<AsksRecord> rows) {
        return rows(tx, rows)
                .onConflict(ASKS.REQUEST_ID)
                .doUpdate()
                .set(ASKS.USER_ID, excluded(ASKS.USER_ID))
                .set(ASKS.IDEMPOTENCY_KEY, excluded(ASKS.IDEMPOTENCY_KEY))
                .set(ASKS.PROMPT, excluded(ASKS.PROMPT))
                .set(ASKS.REQUESTED_MODEL, excluded(ASKS.REQUESTED_MODEL))
                .set(ASKS.REQUESTED_BACKEND, excluded(ASKS.REQUESTED_BACKEND))
                .set(ASKS.ACCEPTED_AT, excluded(ASKS.ACCEPTED_AT))
                .set(ASKS.CALLBACK_URL, excluded(ASKS.CALLBACK_URL))
                .set(ASKS.METADATA, excluded(ASKS.METADATA))
                .set(ASKS.TRACEPARENT, excluded(ASKS.TRACEPARENT))
                .set(ASKS.UPDATED_AT, excluded(ASKS.UPDATED_AT))
                .where(ASKS.USER_ID.isNull())
                .returning(RETURNED)
                .fetch();
    }

    /** Statement b: inserts partial running {@code rows}, or moves the queued ones on. */
    private static void upsertProgress(DSLContext tx, List<AsksRecord> rows) {
        rows(tx, rows)
                .onConflict(ASKS.REQUEST_ID)
                .doUpdate()
                .set(ASKS.STATUS, excluded(ASKS.STATUS))
                .set(ASKS.BACKEND, excluded(ASKS.BACKEND))
                .set(ASKS.UPDATED_AT, excluded(ASKS.UPDATED_AT))
                .where(ASKS.STATUS.eq(AskStatus.QUEUED.wireName()))
                .execute();
    }

    /**
     * Statement c: inserts partial terminal {@code rows}, or makes terminal the ones that were not;
     * returns the rows it wrote. A replayed or repeated result finds its row terminal already and
     * changes nothing, so it does not come back.
     */
    private static List<AsksRecord> upsertResults(DSLContext tx, List<AsksRecord> rows) {
        return rows(tx, rows)
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
                .returning(RETURNED)
                .fetch();
    }

    /**
     * Announces the asks of {@code visible} (rows in request id order that just became visible
     * terminal) to their long-polling clients and enqueues the webhook each owes, both delivered at
     * commit; returns them as finished asks.
     */
    private static List<FinishedAsk> announce(DSLContext tx, Collection<AsksRecord> visible, Instant now) {
        if (visible.isEmpty()) {
            return List.of();
        }
        // wakes the clients long-polling these asks, on every result-store instance, at commit
        Notifications.notifyEach(
                tx,
                Notifications.ASK_DONE,
                visible.stream().map(AsksRecord::getRequestId).toList());
        List<FinishedAsk> finished = new ArrayList<>(visible.size());
        for (AsksRecord row : visible) {
            if (row.getCallbackUrl() != null) {
                // in the same transaction, so that an ask never becomes terminal without its webhook
                WebhookDeliveries.enqueue(
                        tx,
                        row.getRequestId(),
                        row.getUserId(),
                        row.getCallbackUrl(),
                        WebhookEvent.of(AskRows.view(row)).json(),
                        row.getTraceparent(),
                        now);
            }
            finished.add(new FinishedAsk(
                    row.getRequestId(),
                    AskStatus.fromWire(row.getStatus()),
                    row.getCompletedAt().toInstant(),
                    Optional.ofNullable(row.getTraceparent())));
        }
        return finished;
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

    /** The row of {@code request}: queued, or running as {@code progress} says when there is some. */
    private static AsksRecord requestRow(
            DSLContext tx, AskRequest request, Optional<AskProgress> progress, Instant now) {
        AsksRecord row = tx.newRecord(ASKS);
        row.setRequestId(request.requestId());
        row.setUserId(request.userId());
        row.setIdempotencyKey(request.idempotencyKey());
        row.setPrompt(request.prompt());
        row.setRequestedModel(request.model());
        row.setRequestedBackend(request.backend());
        row.setAcceptedAt(utc(request.acceptedAt()));
        row.setCallbackUrl(request.callbackUrl());
        row.setMetadata(AskRows.metadata(request.metadata()));
        row.setTraceparent(request.traceparent());
        row.setStatus(progress.isPresent() ? AskStatus.RUNNING.wireName() : AskStatus.QUEUED.wireName());
        progress.ifPresent(started -> row.setBackend(started.backend()));
        row.setUpdatedAt(utc(now));
        return row;
    }

    /** The partial row of an ask a worker started on, its request's columns NULL. */
    private static AsksRecord progressRow(DSLContext tx, AskProgress progress, Instant now) {
        AsksRecord row = tx.newRecord(ASKS);
        row.setRequestId(progress.reqId());
        row.setStatus(AskStatus.RUNNING.wireName());
        row.setBackend(progress.backend());
        row.setUpdatedAt(utc(now));
        return row;
    }

    /** The partial row of {@code result}, its request's columns NULL. */
    private static AsksRecord resultRow(DSLContext tx, AskResult result, Instant now) {
        AsksRecord row = tx.newRecord(ASKS);
        row.setRequestId(result.reqId());
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
        row.setUpdatedAt(utc(now));
        return row;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
