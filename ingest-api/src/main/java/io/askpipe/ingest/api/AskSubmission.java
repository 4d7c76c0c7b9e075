package io.askpipe.ingest.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.ingest.validate.ChatBodyReader;
import io.askpipe.ingest.validate.Expiry;
import io.askpipe.ingest.validate.ExpiryReader;
import io.askpipe.ingest.validate.MetadataReader;
import io.askpipe.ingest.validate.PriorityReader;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.chat.ChatRequest;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/ask}, validated and canonical: an OpenAI chat-completions body (or
 * {@code prompt}, the shorthand for one user message) with askpipe's own {@code backend}, {@code
 * callback_url}, {@code metadata}, when it expires ({@code expires_after} or {@code deadline}) and
 * its {@code priority}. Validation failures are problems that name the offending
 * field as a JSON pointer ({@link ChatBodyReader}). A backend must be registered and a model
 * permitted by the deployment's {@link io.askpipe.common.catalog.BackendCatalog}, the one the router
 * routes within, so an ask the router would refuse is refused here. The callback URL's form is
 * checked here; where its host resolves to is checked by {@link CallbackPolicy} off the event loop.
 *
 * @param chat the chat body in canonical form
 * @param backend an explicit backend name, or {@code null} to route by model
 * @param callbackUrl where to POST the result, or {@code null}
 * @param metadata the client's labels, in key order; empty if none
 * @param expiry when the ask expires, as the client said it; empty if it does not
 * @param priority how soon the ask wants its answer; interactive unless the client said batch
 */
public record AskSubmission(
        ChatRequest chat,
        String backend,
        String callbackUrl,
        Map<String, String> metadata,
        Optional<Expiry> expiry,
        Priority priority) {
    private static final Pattern BACKEND = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    /** Strict reading: a repeated field or anything after the object is malformed, not ignored. */
    private static final ObjectReader READER = Json.mapper()
            .reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public AskSubmission {
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(priority, "priority");
        metadata = metadata == null || metadata.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /** The submission of {@code {"prompt": ..., "model": ..., "backend": ..., "callback_url": ...}}. */
    public AskSubmission(String prompt, String model, String backend, String callbackUrl) {
        this(
                ChatRequest.ofPrompt(prompt, model),
                backend,
                callbackUrl,
                Map.of(),
                Optional.empty(),
                Priority.INTERACTIVE);
    }

    /** The text of the last user message: the prompt of a prompt-only ask. */
    public String prompt() {
        return chat.lastUserText().orElse("");
    }

    /** The model asked for, or {@code null} for the backend's default. */
    public String model() {
        return chat.model();
    }

    /**
     * A digest of the whole canonical request that does not depend on how the JSON was written
     * (field order, whitespace, {@code stop} as a string or a list, {@code prompt} or one user
     * message): two requests with the same key and the same fingerprint are the same ask. See
     * {@link Fingerprint}.
     */
    public String fingerprint() {
        return Fingerprint.of(this);
    }

    /** The submission in {@code body}, judged at {@code now} (a {@code deadline} must be after it). */
    static AskSubmission parse(String body, IngestLimits limits, CallbackPolicy callbacks, Instant now) {
        if (body == null || body.isBlank()) {
            throw new ProblemException(
                    ProblemType.MALFORMED_REQUEST, "The body is empty; send the ask as a JSON object");
        }
        JsonNode json;
        try {
            json = READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ProblemException(
                    ProblemType.MALFORMED_REQUEST, "The body is not valid JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The body must be a JSON object");
        }
        return of(json, limits, callbacks, now);
    }

    /**
     * The submission in the JSON object {@code json}, already read (a batch's line carries it as its
     * {@code body}), judged at {@code now} as {@link #parse} judges a request's body: every failure
     * is a {@link ProblemException} naming the offending field.
     */
    public static AskSubmission of(JsonNode json, IngestLimits limits, CallbackPolicy callbacks, Instant now) {
        if (!json.isObject()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The body must be a JSON object");
        }
        ChatRequest chat = ChatBodyReader.read(json, limits.maxPromptChars());
        String backend = text(json, "backend");
        if (backend != null && !BACKEND.matcher(backend).matches()) {
            throw invalid("/backend", "must be a backend name such as dryrun, openai or llama");
        }
        limits.catalog().refusal(backend, chat.model()).ifPresent(refusal -> {
            throw invalid(refusal.pointer(), refusal.detail());
        });
        Map<String, String> metadata = MetadataReader.read(json);
        Optional<Expiry> expiry = ExpiryReader.read(json, now);
        Priority priority = PriorityReader.read(json);
        String callbackUrl = text(json, "callback_url");
        if (callbackUrl != null) {
            try {
                callbacks.parse(callbackUrl);
            } catch (CallbackPolicy.Rejected e) {
                throw invalid("/callback_url", e.getMessage());
            }
        }
        return new AskSubmission(chat, backend, callbackUrl, metadata, expiry, priority);
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid("/" + field, "must be a string");
        }
        return node.textValue();
    }

    private static ProblemException invalid(String pointer, String message) {
        return ProblemException.invalidField(pointer, message);
    }
}
