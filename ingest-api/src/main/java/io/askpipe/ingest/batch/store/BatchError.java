package io.askpipe.ingest.batch.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a batch failed, as one entry of OpenAI's {@code errors.data}: a bad line of its input file
 * (1-based {@code line}, the offending member as a JSON pointer in {@code param}), or the file as a
 * whole (no line).
 *
 * @param code the stable name of the fault ({@code invalid_json_line}, {@code duplicate_custom_id}, ...)
 * @param line the line of the input file, counted from 1; empty for the file as a whole
 * @param message what is wrong, for a human
 * @param param the JSON pointer of the offending member of the line; empty if the line as a whole
 */
public record BatchError(String code, Optional<Long> line, String message, Optional<String> param) {
    public BatchError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(param, "param");
    }

    /** The JSON form OpenAI gives it: {@code {"code", "line", "message", "param"}}, absent members as null. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Wire(String code, Long line, String message, String param) {}

    /** This error in its JSON form. */
    public Wire wire() {
        return new Wire(code, line.orElse(null), message, param.orElse(null));
    }

    /** The error of the JSON form {@code wire}. */
    public static BatchError of(Wire wire) {
        return new BatchError(
                wire.code(), Optional.ofNullable(wire.line()), wire.message(), Optional.ofNullable(wire.param()));
    }
}
