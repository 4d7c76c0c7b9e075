package io.askpipe.ingest.batch.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.http.ProblemException;
import io.askpipe.ingest.api.AskSubmission;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.batch.store.BatchError;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * Judges one line of a batch's input file: a JSON object of exactly {@code custom_id} (a string of
 * 1 to {@value #MAX_CUSTOM_ID_CHARS} characters), {@code method} {@code POST}, {@code url} the
 * batch's endpoint, and a {@code body} that {@link AskSubmission#of} takes, judged at the moment
 * the batch's lines are accepted. A body may not carry {@code callback_url} (the batch carries the
 * callback) nor ask for {@code interactive} priority: every line is a batch ask. The first fault of
 * a line is its error, its {@code param} the offending member's JSON pointer. Thread-safe.
 */
public final class InputLineParser {
    /** The longest {@code custom_id}: its ask's idempotency key, {@code batch_...:} and it, stays within 255. */
    public static final int MAX_CUSTOM_ID_CHARS = 200;

    private static final Set<String> MEMBERS = Set.of("custom_id", "method", "url", "body");
    /** Strict reading, as a submit's body is read: a repeated member or anything after the object is an error. */
    private static final ObjectReader READER = Json.mapper()
            .reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String endpoint;
    private final IngestLimits limits;
    private final CallbackPolicy callbacks;
    private final Instant acceptedAt;

    /** Lines of a batch to {@code endpoint}, their bodies judged by {@code limits} at {@code acceptedAt}. */
    public InputLineParser(String endpoint, IngestLimits limits, CallbackPolicy callbacks, Instant acceptedAt) {
        this.endpoint = endpoint;
        this.limits = limits;
        this.callbacks = callbacks;
        this.acceptedAt = acceptedAt;
    }

    /** The longest line, in bytes: the longest ask. */
    int maxLineBytes() {
        return limits.maxBodyBytes();
    }

    /** {@code raw} judged. */
    ParsedLine parse(RawLine raw) {
        long number = raw.number();
        long end = raw.end();
        if (raw.bytes().isEmpty()) {
            return bad(
                    raw,
                    Optional.empty(),
                    LineCode.LINE_TOO_LARGE,
                    null,
                    "This line is longer than an ask may be (" + limits.maxBodyBytes() + " bytes, ASK_MAX_BYTES).");
        }
        if (raw.blank()) {
            return new ParsedLine.Blank(number, end);
        }
        JsonNode json;
        try {
            json = READER.readTree(raw.bytes().get());
        } catch (IOException e) {
            return bad(raw, Optional.empty(), LineCode.INVALID_JSON_LINE, null, notJson(e));
        }
        if (json == null || !json.isObject()) {
            return bad(raw, Optional.empty(), LineCode.INVALID_JSON_LINE, null, "This line is not a JSON object.");
        }
        JsonNode customId = json.get("custom_id");
        if (customId == null || customId.isNull()) {
            return bad(
                    raw,
                    Optional.empty(),
                    LineCode.MISSING_REQUIRED_PARAMETER,
                    "/custom_id",
                    "This line has no custom_id.");
        }
        if (!customId.isTextual()
                || customId.textValue().isEmpty()
                || customId.textValue().length() > MAX_CUSTOM_ID_CHARS) {
            return bad(
                    raw,
                    Optional.empty(),
                    LineCode.INVALID_CUSTOM_ID,
                    "/custom_id",
                    "custom_id must be a string of 1 to " + MAX_CUSTOM_ID_CHARS + " characters.");
        }
        Optional<String> id = Optional.of(customId.textValue());
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name)) {
                return bad(
                        raw,
                        id,
                        LineCode.UNKNOWN_PARAMETER,
                        "/" + name,
                        "Unknown member " + name + ": a line holds custom_id, method, url and body.");
            }
        }
        for (String required : new String[] {"method", "url", "body"}) {
            if (!json.hasNonNull(required)) {
                return bad(
                        raw,
                        id,
                        LineCode.MISSING_REQUIRED_PARAMETER,
                        "/" + required,
                        "This line has no " + required + ".");
            }
        }
        if (!json.get("method").isTextual() || !"POST".equals(json.get("method").textValue())) {
            return bad(raw, id, LineCode.INVALID_METHOD, "/method", "The method must be POST.");
        }
        if (!json.get("url").isTextual() || !endpoint.equals(json.get("url").textValue())) {
            return bad(
                    raw, id, LineCode.URL_MISMATCH, "/url", "The url must be the batch's endpoint, " + endpoint + ".");
        }
        JsonNode body = json.get("body");
        if (!body.isObject()) {
            return bad(raw, id, LineCode.INVALID_BODY, "/body", "The body must be a JSON object.");
        }
        if (body.has("callback_url")) {
            return bad(
                    raw,
                    id,
                    LineCode.INVALID_BODY,
                    "/body/callback_url",
                    "A line may not carry a callback_url: give the batch one.");
        }
        if (body.path("priority").isTextual()
                && !Priority.BATCH.wireName().equals(body.get("priority").textValue())) {
            return bad(raw, id, LineCode.INVALID_BODY, "/body/priority", "Every line of a batch is at batch priority.");
        }
        try {
            AskSubmission submission = AskSubmission.of(body, limits, callbacks, acceptedAt);
            return new ParsedLine.Request(number, end, id.get(), submission);
        } catch (ProblemException e) {
            String param = e.errors().isEmpty()
                    ? "/body"
                    : "/body" + e.errors().getFirst().pointer();
            String message = e.errors().isEmpty()
                    ? e.getMessage()
                    : param + " " + e.errors().getFirst().detail();
            return bad(raw, id, LineCode.INVALID_BODY, param, message);
        }
    }

    private static ParsedLine.Bad bad(
            RawLine raw, Optional<String> customId, LineCode code, String param, String message) {
        return new ParsedLine.Bad(
                raw.number(),
                raw.end(),
                customId,
                new BatchError(code.code(), Optional.of(raw.number()), message, Optional.ofNullable(param)));
    }

    private static String notJson(IOException e) {
        String detail = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
        return "This line is not parseable as valid JSON: " + detail;
    }
}
