package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * The error envelope of every askpipe HTTP error: an RFC 9457 problem detail, sent as {@code
 * application/problem+json}, with the id of the HTTP request it answers.
 *
 * @param type a stable URI that names the kind of problem
 * @param title a short summary that does not change between occurrences
 * @param status the HTTP status code
 * @param detail what went wrong this time, for a human
 * @param instance the request path the problem occurred on
 * @param requestId the id of the HTTP request, also in the {@code X-Request-Id} header
 * @param errors for a validation problem, each offending field by JSON pointer (RFC 6901)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        String requestId,
        List<FieldError> errors) {
    /** The media type of a problem document. */
    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** One offending field: where it is ({@code /prompt}) and what is wrong with it. */
    public record FieldError(String pointer, String detail) {}
}
