package io.askpipe.ingest.batch.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.ingest.validate.MetadataReader;
import io.askpipe.schemas.Json;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/batches}, validated: OpenAI's {@code input_file_id}, {@code endpoint}
 * (only {@value #ENDPOINT}), {@code completion_window} ({@code 24h}; askpipe also takes any {@code
 * <n>s|m|h|d} from one second to seven days), {@code metadata} (up to 16 string pairs) and {@code
 * output_expires_after} ({@code {"anchor": "created_at", "seconds": 3600..2592000}}), and askpipe's
 * {@code callback_url}, whose form is checked here and where it resolves to off the event loop.
 * Every fault is a 400 naming the parameter, as OpenAI answers.
 *
 * @param window how long the batch has, as written and as a duration
 * @param outputExpiresAfter how long its output and error files are kept (30 days unless given)
 */
record BatchRequest(
        String inputFileId,
        String endpoint,
        String completionWindow,
        Duration window,
        Map<String, String> metadata,
        Duration outputExpiresAfter,
        Optional<String> callbackUrl) {
    static final String ENDPOINT = "/v1/chat/completions";
    static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    static final Duration MAX_WINDOW = Duration.ofDays(7);
    static final Duration DEFAULT_OUTPUT_EXPIRY = Duration.ofDays(30);
    static final long MIN_OUTPUT_SECONDS = 3600;
    static final long MAX_OUTPUT_SECONDS = 2_592_000;

    private static final Set<String> MEMBERS = Set.of(
            "input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after", "callback_url");
    private static final Pattern WINDOW = Pattern.compile("([1-9][0-9]{0,6})([smhd])");
    private static final ObjectReader READER = Json.mapper()
            .reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The request in {@code body}; its callback's form checked by {@code callbacks}. */
    static BatchRequest parse(String body, CallbackPolicy callbacks) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ProblemException(
                    ProblemType.MALFORMED_REQUEST, "The body is not valid JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The body must be a JSON object");
        }
        for (var names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name)) {
                throw ProblemException.invalidParameter(name, "Unknown parameter: " + name);
            }
        }
        String inputFileId = required(json, "input_file_id");
        String endpoint = required(json, "endpoint");
        if (!ENDPOINT.equals(endpoint)) {
            throw ProblemException.invalidParameter(
                    "endpoint", "Batches of " + endpoint + " are not supported: only " + ENDPOINT);
        }
        String completionWindow = required(json, "completion_window");
        Duration window = window(completionWindow);
        Map<String, String> metadata;
        try {
            metadata = MetadataReader.read(json);
        } catch (ProblemException e) {
            throw ProblemException.invalidParameter("metadata", e.getMessage());
        }
        Optional<String> callbackUrl = optional(json, "callback_url");
        callbackUrl.ifPresent(url -> {
            try {
                callbacks.parse(url);
            } catch (CallbackPolicy.Rejected e) {
                throw ProblemException.invalidParameter("callback_url", "The callback_url " + e.getMessage());
            }
        });
        return new BatchRequest(
                inputFileId,
                endpoint,
                completionWindow,
                window,
                metadata,
                outputExpiresAfter(json.get("output_expires_after")),
                callbackUrl);
    }

    /** The window {@code text} stands for: {@code 24h}, or {@code <n>s|m|h|d} within one second and seven days. */
    static Duration window(String text) {
        Matcher matcher = WINDOW.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            Duration window = switch (matcher.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            if (window.compareTo(MIN_WINDOW) >= 0 && window.compareTo(MAX_WINDOW) <= 0) {
                return window;
            }
        }
        throw ProblemException.invalidParameter(
                "completion_window",
                "completion_window must be 24h (or a whole number of s, m, h or d from 1s to 7d), not " + text);
    }

    private static Duration outputExpiresAfter(JsonNode node) {
        if (node == null || node.isNull()) {
            return DEFAULT_OUTPUT_EXPIRY;
        }
        String rule = "output_expires_after must be {\"anchor\": \"created_at\", \"seconds\": " + MIN_OUTPUT_SECONDS
                + " to " + MAX_OUTPUT_SECONDS + "}";
        if (!node.isObject()
                || !"created_at".equals(node.path("anchor").textValue())
                || !node.path("seconds").canConvertToExactIntegral()
                || node.size() != 2) {
            throw ProblemException.invalidParameter("output_expires_after", rule);
        }
        long seconds = node.get("seconds").asLong();
        if (seconds < MIN_OUTPUT_SECONDS || seconds > MAX_OUTPUT_SECONDS) {
            throw ProblemException.invalidParameter("output_expires_after.seconds", rule);
        }
        return Duration.ofSeconds(seconds);
    }

    private static String required(JsonNode json, String name) {
        return optional(json, name)
                .orElseThrow(() -> ProblemException.invalidParameter(name, "Missing required parameter: " + name));
    }

    private static Optional<String> optional(JsonNode json, String name) {
        JsonNode node = json.get(name);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.textValue().isEmpty()) {
            throw ProblemException.invalidParameter(name, name + " must be a non-empty string");
        }
        return Optional.of(node.textValue());
    }
}
