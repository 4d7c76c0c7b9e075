package io.askpipe.schemas.completion;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.askpipe.schemas.AskError;
import java.util.Objects;

/**
 * An error as OpenAI's API answers it, {@code {"error": {"message", "type", "param", "code"}}}, with
 * the HTTP status it is sent with (not part of the body). The routes that speak OpenAI's dialect
 * ({@code POST /v1/chat/completions}, {@code GET /v1/ask/{id}/completion}) answer every failure
 * with one, so that an OpenAI client raises its exception for the status; everywhere else askpipe
 * answers problems.
 *
 * <p>{@code type} is OpenAI's class of the error, decided by the status alone ({@link
 * #typeOf(int)}); {@code code} is askpipe's stable name of what happened: a failed ask's error type
 * ({@code backend_unavailable}, {@code timeout}, ...), or the problem's ({@code validation_failed},
 * {@code idempotency_key_reused}, ...); {@code param} is the offending field's JSON pointer for a
 * request that does not validate, {@code null} otherwise.
 *
 * @param status the HTTP status of the answer
 * @param error the body's one member
 */
public record OpenAiError(@JsonIgnore int status, Body error) {

    public OpenAiError {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error's HTTP status is 4xx or 5xx: " + status);
        }
        Objects.requireNonNull(error, "error");
    }

    /**
     * What went wrong; {@code param} and {@code code} are always there, {@code null} when they do
     * not apply.
     *
     * @param message what happened, for a human
     * @param type OpenAI's class of error for the status
     * @param param the offending field's JSON pointer, or {@code null}
     * @param code askpipe's stable name of the error, or {@code null}
     */
    public record Body(
            String message,
            String type,
            @JsonInclude(JsonInclude.Include.ALWAYS) String param,
            @JsonInclude(JsonInclude.Include.ALWAYS) String code) {
        public Body {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(type, "type");
        }
    }

    /** An error of {@code status}: {@code message}, the field {@code param} and {@code code} (either may be null). */
    public static OpenAiError of(int status, String message, String param, String code) {
        return new OpenAiError(status, new Body(message, typeOf(status), param, code));
    }

    /** The failure of an ask: its status, its message, and its type's wire name as the code. */
    public static OpenAiError of(AskError error) {
        return of(error.httpStatus(), error.message(), null, error.type().wireName());
    }

    /**
     * OpenAI's class of an error answered with {@code status}: {@code invalid_request_error} for a
     * request askpipe will not take (400, 413, 415, 422, any other 4xx not named here), {@code
     * authentication_error} (401), {@code permission_error} (403), {@code not_found_error} (404),
     * {@code conflict_error} (409), {@code rate_limit_error} (429), {@code timeout_error} (504) and
     * {@code server_error} for every other 5xx.
     */
    public static String typeOf(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 409 -> "conflict_error";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
