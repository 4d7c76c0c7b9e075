package io.askpipe.store.view;

/**
 * What {@code GET /v1/usage} answers: a user's asks by outcome and the tokens their answers used,
 * over every ask the store holds for them.
 */
public record UsageView(String userId, Asks asks, Tokens tokens) {
    /**
     * @param submitted every accepted ask the store has seen
     * @param pending queued or running
     * @param expired ended expired: their own deadline passed before they had an answer
     * @param cancelled ended cancelled: their owner cancelled them before they had an answer
     */
    public record Asks(long submitted, long pending, long succeeded, long failed, long expired, long cancelled) {}

    public record Tokens(long prompt, long completion, long total) {}
}
