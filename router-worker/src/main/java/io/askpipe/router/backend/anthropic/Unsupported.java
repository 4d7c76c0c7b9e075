package io.askpipe.router.backend.anthropic;

/**
 * A field of the ask that Anthropic's Messages API cannot honour, found while the request is
 * written: the backend fails the call as an invalid request that names the field, rather than
 * drop the field or change its meaning.
 */
final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    /** The JSON pointer of the field in the ask's chat body, e.g. {@code /messages/2/name}. */
    private final String pointer;

    /**
     * @param pointer the JSON pointer of the field in the ask's chat body
     * @param reason why Anthropic cannot honour it, for the client
     */
    Unsupported(String pointer, String reason) {
        super(reason, null, false, false);
        this.pointer = pointer;
    }

    String pointer() {
        return pointer;
    }

    /** What the failed result says: the field and why. */
    String describe() {
        return "anthropic cannot honour " + pointer + ": " + getMessage();
    }
}
