package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * Why an ask failed: its {@link Type type}, which decides the HTTP status, and a message for a
 * human. On the wire it is {@code {type, message, http_status}}, as every version wrote it.
 *
 * @param type one of {@link ErrorType}; an {@link UnknownType} only when read from a record another
 *     version wrote
 * @param message what happened; never a stack trace or a secret
 */
public record AskError(AskError.Type type, String message) {

    /**
     * An error's type: one of this version's {@link ErrorType}s, or an {@link UnknownType} read from
     * a record written by another version.
     */
    public sealed interface Type permits ErrorType, UnknownType {
        /** The stable name on the wire. */
        String wireName();

        /** The HTTP status a failed result of this type reports. */
        int httpStatus();

        /**
         * The type written as {@code wireName} with {@code httpStatus}: the {@link ErrorType} if this
         * version has that pair, else an {@link UnknownType} that keeps both as written.
         */
        static Type of(String wireName, int httpStatus) {
            Objects.requireNonNull(wireName, "type");
            return ErrorType.fromWireName(wireName)
                    .filter(known -> known.httpStatus() == httpStatus)
                    .<Type>map(known -> known)
                    .orElseGet(() -> new UnknownType(wireName, httpStatus));
        }
    }

    /**
     * A type this version does not have, kept as written so that a result from a newer version is
     * read, stored and served unchanged (never sent to a dead-letter topic): a name added since, or
     * a known name with a status this version does not give it. Never retried: only the router
     * decides retriability, and it writes only {@link ErrorType}s.
     */
    public record UnknownType(String wireName, int httpStatus) implements Type {
        public UnknownType {
            Objects.requireNonNull(wireName, "wireName");
            if (httpStatus < 400 || httpStatus > 599) {
                throw new IllegalArgumentException("an error's HTTP status is 4xx or 5xx: " + httpStatus);
            }
            if (ErrorType.fromWireName(wireName)
                    .filter(known -> known.httpStatus() == httpStatus)
                    .isPresent()) {
                throw new IllegalArgumentException(wireName + " " + httpStatus + " is a known error type");
            }
        }
    }

    public AskError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    /** The HTTP status that describes the failure to the client: always its type's. */
    public int httpStatus() {
        return type.httpStatus();
    }

    @JsonValue
    Wire wire() {
        return new Wire(type.wireName(), message, type.httpStatus());
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static AskError fromWire(Wire wire) {
        return new AskError(Type.of(wire.type(), wire.httpStatus()), wire.message());
    }

    /** The JSON form: the type by name, with its status beside it for clients. */
    record Wire(String type, String message, int httpStatus) {}
}
