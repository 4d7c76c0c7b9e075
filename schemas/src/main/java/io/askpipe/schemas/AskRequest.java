package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.askpipe.schemas.chat.ChatRequest;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An accepted ask, as published to {@code ask.requests}. The record key is {@link #requestId()}
 * (records written before it was, are keyed by {@link #scope()}): a replay of the compacted topic
 * yields every distinct accepted ask once. Readers take what they need from the value, never from
 * the key.
 *
 * <p>On the wire an ask is of {@link #SCHEMA_VERSION} 2: {@code schema_version}, the ids, the
 * client's OpenAI chat-completions body as {@code chat}, and askpipe's own fields. Every older
 * version is read too: an ask of version 1 (no {@code schema_version}, {@code prompt} and {@code
 * model} at the top) reads as a chat of one user message with that prompt for that model, so a
 * replay of a topic written before chat bodies existed is answered as it was
 * (docs/adr/0022-the-request-model-and-message-versions.md).
 *
 * @param requestId server-assigned id (a UUID), the key of the ask's result
 * @param userId the caller the ask belongs to
 * @param idempotencyKey the client's {@code Idempotency-Key} (or one the server generated)
 * @param chat what to send to the model, in canonical form
 * @param backend an explicit backend name, or {@code null} to route by model
 * @param acceptedAt when ingest accepted the ask
 * @param callbackUrl where to POST the signed result once the ask is terminal, or {@code null}
 * @param metadata the client's labels of the ask (at most 16 string pairs), in key order; empty if
 *     none
 * @param traceparent the W3C trace context the client sent with the ask, or {@code null}; it is
 *     logged with the ask at every hop and sent on as the {@code traceparent} Kafka header
 * @param deadline the moment past which the ask is not worth answering, computed once when ingest
 *     first accepted it (from {@code expires_after} or {@code deadline}); empty if it has none, as
 *     every ask written before deadlines existed. An additive field of version 2: absent on the
 *     wire when empty (docs/adr/0025-deadlines.md)
 * @param priority how soon the ask wants its answer; {@link Priority#INTERACTIVE} for every ask
 *     written before priorities existed. An additive field of version 2: absent on the wire when
 *     interactive
 */
public record AskRequest(
        String requestId,
        String userId,
        String idempotencyKey,
        ChatRequest chat,
        String backend,
        Instant acceptedAt,
        String callbackUrl,
        Map<String, String> metadata,
        String traceparent,
        Optional<Instant> deadline,
        Priority priority) {

    /** The version of the records this version writes. */
    public static final int SCHEMA_VERSION = 2;

    /** The version of records without {@code schema_version}: a prompt, no chat body. */
    static final int PROMPT_ONLY_VERSION = 1;

    public AskRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
        deadline = deadline == null ? Optional.empty() : deadline;
        priority = priority == null ? Priority.INTERACTIVE : priority;
        metadata = metadata == null || metadata.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /** An ask without a deadline. */
    public AskRequest(
            String requestId,
            String userId,
            String idempotencyKey,
            ChatRequest chat,
            String backend,
            Instant acceptedAt,
            String callbackUrl,
            Map<String, String> metadata,
            String traceparent) {
        this(
                requestId,
                userId,
                idempotencyKey,
                chat,
                backend,
                acceptedAt,
                callbackUrl,
                metadata,
                traceparent,
                Optional.empty(),
                Priority.INTERACTIVE);
    }

    /** This ask with {@code deadline} as its deadline. */
    public AskRequest withDeadline(Instant deadline) {
        return new AskRequest(
                requestId,
                userId,
                idempotencyKey,
                chat,
                backend,
                acceptedAt,
                callbackUrl,
                metadata,
                traceparent,
                Optional.of(deadline),
                priority);
    }

    /** This ask at {@code priority}. */
    public AskRequest withPriority(Priority priority) {
        return new AskRequest(
                requestId,
                userId,
                idempotencyKey,
                chat,
                backend,
                acceptedAt,
                callbackUrl,
                metadata,
                traceparent,
                deadline,
                priority);
    }

    /** An ask of one user message, {@code prompt}, for {@code model}. */
    public AskRequest(
            String requestId,
            String userId,
            String idempotencyKey,
            String prompt,
            String model,
            String backend,
            Instant acceptedAt,
            String callbackUrl,
            String traceparent) {
        this(
                requestId,
                userId,
                idempotencyKey,
                ChatRequest.ofPrompt(prompt, model),
                backend,
                acceptedAt,
                callbackUrl,
                Map.of(),
                traceparent);
    }

    /** An ask of one user message without a trace context. */
    public AskRequest(
            String requestId,
            String userId,
            String idempotencyKey,
            String prompt,
            String model,
            String backend,
            Instant acceptedAt,
            String callbackUrl) {
        this(requestId, userId, idempotencyKey, prompt, model, backend, acceptedAt, callbackUrl, null);
    }

    /** An ask of one user message without a callback or a trace context. */
    public AskRequest(
            String requestId,
            String userId,
            String idempotencyKey,
            String prompt,
            String model,
            String backend,
            Instant acceptedAt) {
        this(requestId, userId, idempotencyKey, prompt, model, backend, acceptedAt, null, null);
    }

    /** An ask of {@code chat} without a callback, metadata or a trace context. */
    public AskRequest(
            String requestId,
            String userId,
            String idempotencyKey,
            ChatRequest chat,
            String backend,
            Instant acceptedAt) {
        this(requestId, userId, idempotencyKey, chat, backend, acceptedAt, null, Map.of(), null);
    }

    /**
     * The text of the last user message (empty if there is none): what logs show, the dryrun
     * backend echoes, and every backend got before chat bodies existed.
     */
    @JsonIgnore
    public String prompt() {
        return chat.lastUserText().orElse("");
    }

    /** The model the client asked for, or {@code null} for the backend's default. */
    @JsonIgnore
    public String model() {
        return chat.model();
    }

    /**
     * The idempotency scope, {@code userId + ":" + idempotencyKey}: what the ingest ledger is keyed
     * by, and the key of records on ask.requests written before they were keyed by request id.
     */
    @JsonIgnore
    public String scope() {
        return scope(userId, idempotencyKey);
    }

    /** The idempotency scope of {@code idempotencyKey} for {@code userId}. */
    public static String scope(String userId, String idempotencyKey) {
        return userId + ":" + idempotencyKey;
    }

    @JsonValue
    Wire wire() {
        return new Wire(
                SCHEMA_VERSION,
                requestId,
                userId,
                idempotencyKey,
                null,
                null,
                chat,
                backend,
                acceptedAt,
                callbackUrl,
                metadata.isEmpty() ? null : metadata,
                traceparent,
                deadline.orElse(null),
                priority == Priority.INTERACTIVE ? null : priority);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static AskRequest fromWire(Wire wire) {
        int version = wire.schemaVersion() == null ? PROMPT_ONLY_VERSION : wire.schemaVersion();
        ChatRequest chat = switch (version) {
            case PROMPT_ONLY_VERSION -> ChatRequest.ofPrompt(wire.prompt(), wire.model());
            case SCHEMA_VERSION -> Objects.requireNonNull(wire.chat(), "chat");
            default ->
                throw new IllegalArgumentException(
                        "schema_version " + version + " is not one this version reads (1 to " + SCHEMA_VERSION + ")");
        };
        return new AskRequest(
                wire.requestId(),
                wire.userId(),
                wire.idempotencyKey(),
                chat,
                wire.backend(),
                wire.acceptedAt(),
                wire.callbackUrl(),
                wire.metadata(),
                wire.traceparent(),
                Optional.ofNullable(wire.deadline()),
                wire.priority());
    }

    /**
     * The JSON form of every version: version 1 wrote {@code prompt} and {@code model}, version 2
     * writes {@code schema_version} and {@code chat} instead, {@code deadline} once an ask has one
     * and {@code priority} unless it is interactive (additive fields: readers before them ignore
     * them, and a record without them has no deadline and is interactive).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Wire(
            Integer schemaVersion,
            String requestId,
            String userId,
            String idempotencyKey,
            String prompt,
            String model,
            ChatRequest chat,
            String backend,
            Instant acceptedAt,
            String callbackUrl,
            Map<String, String> metadata,
            String traceparent,
            Instant deadline,
            Priority priority) {}
}
