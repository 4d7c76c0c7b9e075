package io.askpipe.schemas;

/** Token counts as the backend reported them; zero where a backend does not report one. */
public record Usage(int promptTokens, int completionTokens, int totalTokens) {
    public static final Usage NONE = new Usage(0, 0, 0);

    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts are never negative");
        }
    }

    /** Usage with the total computed from its parts. */
    public static Usage of(int promptTokens, int completionTokens) {
        return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
    }
}
