package io.askpipe.router.backend.http;

import java.util.Objects;

/**
 * A field of the ask that a backend cannot honour, named by its JSON pointer in the ask (as ingest
 * names the fields it refuses): the backend refuses the request rather than ignore the field, and
 * the ask fails as {@link io.askpipe.schemas.ErrorType#INVALID_REQUEST} without a call.
 */
public final class UnsupportedField extends Exception {
    private static final long serialVersionUID = 1L;

    private final String pointer;
    private final String reason;

    /**
     * @param pointer the field, e.g. {@code /logit_bias} or {@code /messages/2/name}
     * @param reason why it cannot be honoured, and what to do instead
     */
    public UnsupportedField(String pointer, String reason) {
        super(pointer + ": " + reason, null, false, false);
        this.pointer = Objects.requireNonNull(pointer, "pointer");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The field's JSON pointer in the ask. */
    public String pointer() {
        return pointer;
    }

    /** Why the backend cannot honour it. */
    public String reason() {
        return reason;
    }

    /** The pointer of member {@code name} of the field at {@code parent} (RFC 6901 escaping). */
    public static String member(String parent, String name) {
        return parent + "/" + name.replace("~", "~0").replace("/", "~1");
    }
}
