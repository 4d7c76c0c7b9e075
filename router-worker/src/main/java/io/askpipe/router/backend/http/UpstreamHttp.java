package io.askpipe.router.backend.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.http.RetryAfter;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP exchange the JSON backends share: one {@link HttpClient} per backend, a JSON POST, and
 * the mapping of every way it can fail to a {@link BackendOutcome.Failed} (whose {@link ErrorType}
 * decides its status and whether it is retried).
 *
 * <ul>
 *   <li>no connection or another I/O error: {@link ErrorType#BACKEND_UNAVAILABLE}
 *   <li>429: {@link ErrorType#RATE_LIMITED}, with {@code Retry-After}
 *   <li>5xx: {@link ErrorType#UPSTREAM_ERROR}, with {@code Retry-After}
 *   <li>401, 403: {@link ErrorType#BACKEND_AUTH_FAILED}
 *   <li>any other 4xx: {@link ErrorType#INVALID_REQUEST}, with the provider's message
 *   <li>a 2xx that does not hold an answer, or any other status: {@link
 *       ErrorType#UPSTREAM_INVALID_RESPONSE}
 *   <li>a field of the ask the backend cannot honour ({@link UnsupportedField}), before any call:
 *       {@link ErrorType#INVALID_REQUEST}
 * </ul>
 *
 * <p>No request timeout is set: the worker's time limit interrupts the calling thread, and {@link
 * HttpClient#send} answers that by cancelling the exchange. Thread-safe.
 */
public final class UpstreamHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamHttp.class);

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(5);
    /** The longest provider message passed on to the client. */
    static final int MAX_MESSAGE_CHARS = 300;

    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** Reads the answer out of a 2xx body. */
    @FunctionalInterface
    public interface AnswerReader {
        BackendOutcome.Completed read(JsonNode body) throws MalformedAnswer;
    }

    /** A 2xx body without the answer where the API puts it; the message says what is missing. */
    public static final class MalformedAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedAnswer(String message) {
            super(message, null, false, false);
        }
    }

    private final String backend;
    private final String secret;
    private final Clock clock;
    private final HttpClient client;

    /**
     * @param backend the backend's name, for messages
     * @param connectTimeout how long to wait for a connection
     * @param secret a value that must never appear in a message (the API key), or {@code null}
     * @param clock reads the time an HTTP-date {@code Retry-After} is measured from
     */
    public UpstreamHttp(String backend, Duration connectTimeout, String secret, Clock clock) {
        this.backend = backend;
        this.secret = secret;
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A JSON POST of {@code body} to {@code uri}, tagged with the ask's id. */
    public HttpRequest.Builder post(URI uri, JsonNode body, String requestId) {
        byte[] json;
        try {
            json = Json.mapper().writeValueAsBytes(body);
        } catch (JacksonException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        // ids are server-assigned UUIDs, but an ask from elsewhere must not break the header
        if (REQUEST_ID.matcher(requestId).matches()) {
            request.header("X-Request-Id", requestId);
        }
        return request;
    }

    /**
     * A GET of {@code uri} (with {@code authorization} if given) that only asks whether the API
     * answers: empty on a 2xx, else the status or why it could not be reached.
     */
    public Optional<String> ping(URI uri, String authorization) throws InterruptedException {
        return pingWith(uri, authorization == null ? Map.of() : Map.of("Authorization", authorization));
    }

    /**
     * A GET of {@code uri} with {@code headers} (a vendor's key and API version) that only asks
     * whether the API answers: empty on a 2xx, else the status or why it could not be reached.
     */
    public Optional<String> pingWith(URI uri, Map<String, String> headers) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Accept", "application/json")
                .timeout(PING_TIMEOUT)
                .GET();
        headers.forEach(request::header);
        try {
            int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            return status >= 200 && status < 300
                    ? Optional.empty()
                    : Optional.of(backend + " answered HTTP " + status + " at " + uri);
        } catch (IOException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException(backend + " ping interrupted");
            }
            return Optional.of(backend + " is unreachable: " + describe(e));
        }
    }

    /**
     * Sends {@code request} and reads a 2xx body with {@code reader}; every failure is an outcome.
     *
     * @throws InterruptedException if the calling thread is interrupted; the exchange is cancelled
     */
    public BackendOutcome exchange(HttpRequest request, AnswerReader reader) throws InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException(backend + " call interrupted");
            }
            LOG.debug("{} is unreachable at {}", backend, request.uri(), e);
            return BackendOutcome.Failed.of(ErrorType.BACKEND_UNAVAILABLE, backend + " is unreachable: " + describe(e));
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return answer(response.body(), reader);
        }
        return failure(status, response);
    }

    private BackendOutcome answer(byte[] body, AnswerReader reader) {
        JsonNode json;
        try {
            json = Json.mapper().readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return BackendOutcome.Failed.of(
                    ErrorType.UPSTREAM_INVALID_RESPONSE, backend + " answered with a body that is not a JSON object");
        }
        try {
            return reader.read(json);
        } catch (MalformedAnswer e) {
            return BackendOutcome.Failed.of(
                    ErrorType.UPSTREAM_INVALID_RESPONSE, backend + " answered without " + e.getMessage());
        }
    }

    private BackendOutcome failure(int status, HttpResponse<byte[]> response) {
        Optional<Duration> retryAfter =
                response.headers().firstValue("Retry-After").flatMap(value -> RetryAfter.parse(value, clock));
        if (status == 429) {
            return BackendOutcome.Failed.of(
                    ErrorType.RATE_LIMITED,
                    backend + " is rate limiting (HTTP 429)" + providerMessage(response.body()),
                    retryAfter);
        }
        if (status >= 500 && status < 600) {
            return BackendOutcome.Failed.of(
                    ErrorType.UPSTREAM_ERROR,
                    backend + " failed (HTTP " + status + ")" + providerMessage(response.body()),
                    retryAfter);
        }
        if (status == 401 || status == 403) {
            // the provider's message may quote part of the key: leave it out
            return BackendOutcome.Failed.of(
                    ErrorType.BACKEND_AUTH_FAILED, backend + " refused askpipe's credentials (HTTP " + status + ")");
        }
        if (status >= 400 && status < 500) {
            return BackendOutcome.Failed.of(
                    ErrorType.INVALID_REQUEST,
                    backend + " rejected the request (HTTP " + status + ")" + providerMessage(response.body()));
        }
        return BackendOutcome.Failed.of(
                ErrorType.UPSTREAM_INVALID_RESPONSE, backend + " answered with unexpected HTTP status " + status);
    }

    /**
     * The provider's error message as {@code ": message"}, or empty: {@code error.message}
     * (OpenAI), {@code error} (Ollama), {@code message} or {@code detail} (other compatible servers).
     * On one line, at most {@link #MAX_MESSAGE_CHARS} characters, with the secret masked.
     */
    private String providerMessage(byte[] body) {
        JsonNode json;
        try {
            json = Json.mapper().readTree(body);
        } catch (IOException e) {
            return "";
        }
        if (json == null || !json.isObject()) {
            return "";
        }
        JsonNode error = json.path("error");
        String message = Optional.of(error.path("message"))
                .filter(JsonNode::isTextual)
                .or(() -> Optional.of(error).filter(JsonNode::isTextual))
                .or(() -> Optional.of(json.path("message")).filter(JsonNode::isTextual))
                .or(() -> Optional.of(json.path("detail")).filter(JsonNode::isTextual))
                .map(JsonNode::asText)
                .orElse("");
        message = message.replaceAll("\\s+", " ").strip();
        if (secret != null) {
            message = message.replace(secret, "****");
        }
        if (message.length() > MAX_MESSAGE_CHARS) {
            int end = Character.isHighSurrogate(message.charAt(MAX_MESSAGE_CHARS - 1))
                    ? MAX_MESSAGE_CHARS - 1
                    : MAX_MESSAGE_CHARS;
            message = message.substring(0, end) + "...";
        }
        return message.isEmpty() ? "" : ": " + message;
    }

    /** What went wrong on the wire, without addresses or stack traces. */
    private static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof ConnectException) {
            return e.getCause() instanceof UnresolvedAddressException ? "unknown host" : "connection refused";
        }
        if (e instanceof SSLException) {
            return "TLS failed";
        }
        return "I/O error (" + e.getClass().getSimpleName() + ")";
    }

    /**
     * The refusal of a request the backend cannot honour: a permanent {@link
     * ErrorType#INVALID_REQUEST} that names the field, before any call.
     */
    public BackendOutcome.Failed refused(UnsupportedField field) {
        return BackendOutcome.Failed.of(
                ErrorType.INVALID_REQUEST, backend + " cannot honour " + field.pointer() + ": " + field.reason());
    }

    /** The model that answered, from the response's {@code model}, else the one asked for. */
    public static String answeringModel(JsonNode response, String requestedModel) {
        JsonNode model = response.path("model");
        return model.isTextual() && !model.asText().isBlank() ? model.asText() : requestedModel;
    }

    /** A token count: a non-negative integer field of {@code parent}, else 0. */
    public static int tokens(JsonNode parent, String field) {
        JsonNode node = parent.path(field);
        if (!node.canConvertToInt()) {
            return 0;
        }
        return Math.max(0, node.asInt());
    }

    /** Usage from its parts, the total saturating rather than overflowing. */
    public static Usage usage(int promptTokens, int completionTokens) {
        return new Usage(promptTokens, completionTokens, (int)
                Math.min(Integer.MAX_VALUE, (long) promptTokens + completionTokens));
    }

    /** Stops the client, aborting exchanges still running. */
    @Override
    public void close() {
        client.shutdownNow();
    }
}
