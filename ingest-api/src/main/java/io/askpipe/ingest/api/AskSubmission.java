package io.askpipe.ingest.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.schemas.Json;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/ask}, validated: {@code {"prompt": "...", "model": "...", "backend":
 * "...", "callback_url": "..."}} with all but {@code prompt} optional. Validation failures are
 * problems that name the offending field as a JSON pointer. A backend must be registered and a
 * model permitted by the deployment's {@link io.askpipe.common.catalog.BackendCatalog}, the one the router
 * routes within, so an ask the router would refuse is refused here. The callback URL's form is checked
 * here; where its host resolves to is checked by {@link io.askpipe.common.callback.CallbackPolicy} off the
 * event loop.
 */
public record AskSubmission(String prompt, String model, String backend, String callbackUrl) {
    private static final Set<String> FIELDS = Set.of("prompt", "model", "backend", "callback_url");
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
    private static final Pattern BACKEND = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");
    /** Strict reading: a repeated field or anything after the object is malformed, not ignored. */
    private static final ObjectReader READER = Json.mapper()
            .reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * A digest of the payload that does not depend on how the JSON was written (field order,
     * whitespace): SHA-256 over the fields in a fixed order, hex-encoded. Two requests with the same
     * key and the same fingerprint are the same ask.
     */
    public String fingerprint() {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            for (String field : new String[] {prompt, model, backend, callbackUrl}) {
                byte[] bytes = field == null ? new byte[0] : field.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                digest.update(java.nio.ByteBuffer.allocate(5)
                        .put((byte) (field == null ? 0 : 1))
                        .putInt(bytes.length)
                        .array());
                digest.update(bytes);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static AskSubmission parse(String body, IngestLimits limits, CallbackPolicy callbacks) {
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
        json.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw invalid("/" + name, "is not a known field (known: prompt, model, backend, callback_url)");
            }
        });
        String prompt = text(json, "prompt", true);
        if (prompt.isBlank()) {
            throw invalid("/prompt", "must not be blank");
        }
        if (CONTROL.matcher(prompt).find()) {
            throw invalid("/prompt", "must not contain control characters other than tab and line breaks");
        }
        if (prompt.length() > limits.maxPromptChars()) {
            throw invalid("/prompt", "must be at most " + limits.maxPromptChars() + " characters");
        }
        String model = text(json, "model", false);
        if (model != null && !MODEL.matcher(model).matches()) {
            throw invalid("/model", "must be 1-128 characters of letters, digits and . _ : / -");
        }
        String backend = text(json, "backend", false);
        if (backend != null && !BACKEND.matcher(backend).matches()) {
            throw invalid("/backend", "must be a backend name such as dryrun, openai or llama");
        }
        limits.catalog().refusal(backend, model).ifPresent(refusal -> {
            throw invalid(refusal.pointer(), refusal.detail());
        });
        String callbackUrl = text(json, "callback_url", false);
        if (callbackUrl != null) {
            try {
                callbacks.parse(callbackUrl);
            } catch (CallbackPolicy.Rejected e) {
                throw invalid("/callback_url", e.getMessage());
            }
        }
        return new AskSubmission(prompt, model, backend, callbackUrl);
    }

    private static String text(JsonNode json, String field, boolean required) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw invalid("/" + field, "is required");
            }
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
