package io.askpipe.ingest.validate;

/**
 * The characters of text an ask may hold, all its messages together ({@code
 * INGEST_MAX_PROMPT_CHARS}): each text spends from it, and the one that overdraws it is refused.
 * Not thread-safe: one per submitted body.
 */
final class TextBudget {
    private final int max;
    private long spent;

    TextBudget(int max) {
        this.max = max;
    }

    /** Spends {@code text}, found at {@code at}. */
    void spend(String text, Pointer at) {
        spent += text.length();
        if (spent > max) {
            throw at.invalid("must be at most " + max + " characters (the text of all messages together)");
        }
    }
}
