package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.Role;
import java.time.Instant;
import java.util.Objects;

/**
 * The standardized outcome of one ask, published to {@code ask.results} keyed by request id. A
 * success carries {@code answer} and {@code usage}; a failure, or an ask that expired, carries
 * {@code error}. The first six
 * fields are the envelope clients see: {@code {backend, model, answer, usage, latency_ms, req_id}}.
 * A success may carry more of what the backend said, each absent when it did not say it: why the
 * model stopped, the whole assistant message (its tool calls, a refusal) and the vendor's system
 * fingerprint. Results written before those existed read with them absent.
 *
 * @param backend the backend that produced the outcome ({@code dryrun}, {@code openai}, ...)
 * @param model the model that answered, or was asked for when it failed
 * @param answer the model's answer; {@code null} when the ask failed
 * @param usage token counts; {@link Usage#NONE} when the ask failed
 * @param latencyMs time spent calling the backend, in milliseconds
 * @param reqId the request id of the ask
 * @param status a terminal status: {@link AskStatus#SUCCEEDED}, {@link AskStatus#FAILED},
 *     {@link AskStatus#EXPIRED} or {@link AskStatus#CANCELLED}
 * @param error why there is no answer; {@code null} on success
 * @param attempts how many backend calls it took
 * @param completedAt when the worker finished: for an expired ask, when it found the deadline past;
 *     for a cancelled one, when the cancel was taken
 * @param finishReason why the model stopped; {@code null} if the backend did not say, or on failure
 * @param message the assistant's message, whose text is {@code answer}; {@code null} if the backend
 *     gave only text, or on failure
 * @param systemFingerprint the vendor's fingerprint of its configuration, or {@code null}
 * @param waitedMs how long the ask waited for permits of the provider limits before its backend
 *     calls, in milliseconds; {@code null} (absent on the wire) when it did not wait, as in results
 *     written before it existed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AskResult(
        String backend,
        String model,
        String answer,
        Usage usage,
        long latencyMs,
        String reqId,
        AskStatus status,
        AskError error,
        int attempts,
        Instant completedAt,
        FinishReason finishReason,
        ChatMessage message,
        String systemFingerprint,
        Long waitedMs) {

    public AskResult {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(reqId, "reqId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(completedAt, "completedAt");
        if (!status.terminal()) {
            throw new IllegalArgumentException("a result is terminal, not " + status);
        }
        if (status.unanswered() != (error != null)) {
            throw new IllegalArgumentException("a failed or expired result carries an error, a success none");
        }
        if (status == AskStatus.SUCCEEDED) {
            Objects.requireNonNull(answer, "answer");
        } else if (finishReason != null || message != null || systemFingerprint != null) {
            throw new IllegalArgumentException("only a success says how the model finished");
        }
        if (message != null && message.role() != Role.ASSISTANT) {
            throw new IllegalArgumentException("a result's message is the assistant's, not " + message.role());
        }
        if (waitedMs != null && waitedMs < 0) {
            throw new IllegalArgumentException("waitedMs is 0 or more");
        }
        if (waitedMs != null && waitedMs == 0) {
            waitedMs = null; // an ask that did not wait says nothing of it
        }
    }

    /** A result that did not wait for permits. */
    public AskResult(
            String backend,
            String model,
            String answer,
            Usage usage,
            long latencyMs,
            String reqId,
            AskStatus status,
            AskError error,
            int attempts,
            Instant completedAt,
            FinishReason finishReason,
            ChatMessage message,
            String systemFingerprint) {
        this(
                backend,
                model,
                answer,
                usage,
                latencyMs,
                reqId,
                status,
                error,
                attempts,
                completedAt,
                finishReason,
                message,
                systemFingerprint,
                null);
    }

    /** A result without what only some backends say (finish reason, message, fingerprint). */
    public AskResult(
            String backend,
            String model,
            String answer,
            Usage usage,
            long latencyMs,
            String reqId,
            AskStatus status,
            AskError error,
            int attempts,
            Instant completedAt) {
        this(backend, model, answer, usage, latencyMs, reqId, status, error, attempts, completedAt, null, null, null);
    }

    /**
     * This success with the backend's whole reply: the assistant's {@code message} (its text
     * becomes the answer), why it stopped, and the vendor's fingerprint ({@code null} if none).
     */
    public AskResult withReply(ChatMessage message, FinishReason finishReason, String systemFingerprint) {
        if (status != AskStatus.SUCCEEDED) {
            throw new IllegalStateException("only a success has a reply");
        }
        return new AskResult(
                backend,
                model,
                message.text(),
                usage,
                latencyMs,
                reqId,
                status,
                error,
                attempts,
                completedAt,
                finishReason,
                message,
                systemFingerprint,
                waitedMs);
    }

    /** This result, saying it waited {@code waitedMs} for permits of the provider limits. */
    public AskResult withWaitedMs(long waitedMs) {
        if (waitedMs < 0) {
            throw new IllegalArgumentException("waitedMs is 0 or more");
        }
        return new AskResult(
                backend,
                model,
                answer,
                usage,
                latencyMs,
                reqId,
                status,
                error,
                attempts,
                completedAt,
                finishReason,
                message,
                systemFingerprint,
                waitedMs);
    }

    /** A successful result. */
    public static AskResult succeeded(
            String reqId,
            String backend,
            String model,
            String answer,
            Usage usage,
            long latencyMs,
            int attempts,
            Instant completedAt) {
        return new AskResult(
                backend, model, answer, usage, latencyMs, reqId, AskStatus.SUCCEEDED, null, attempts, completedAt);
    }

    /** A failed result. */
    public static AskResult failed(
            String reqId,
            String backend,
            String model,
            AskError error,
            long latencyMs,
            int attempts,
            Instant completedAt) {
        return new AskResult(
                backend, model, null, Usage.NONE, latencyMs, reqId, AskStatus.FAILED, error, attempts, completedAt);
    }

    /**
     * The result of an ask whose own deadline passed before it had an answer: {@link
     * AskStatus#EXPIRED} with a {@link ErrorType#DEADLINE_EXCEEDED} error saying {@code message}.
     */
    public static AskResult expired(
            String reqId,
            String backend,
            String model,
            String message,
            long latencyMs,
            int attempts,
            Instant completedAt) {
        return new AskResult(
                backend,
                model,
                null,
                Usage.NONE,
                latencyMs,
                reqId,
                AskStatus.EXPIRED,
                new AskError(ErrorType.DEADLINE_EXCEEDED, message),
                attempts,
                completedAt);
    }

    /**
     * The result of an ask its owner cancelled before it had an answer: {@link AskStatus#CANCELLED}
     * with a {@link ErrorType#CANCELLED} error saying {@code message}, reached at {@code cancelledAt}.
     */
    public static AskResult cancelled(
            String reqId,
            String backend,
            String model,
            String message,
            long latencyMs,
            int attempts,
            Instant cancelledAt) {
        return new AskResult(
                backend,
                model,
                null,
                Usage.NONE,
                latencyMs,
                reqId,
                AskStatus.CANCELLED,
                new AskError(ErrorType.CANCELLED, message),
                attempts,
                cancelledAt);
    }
}
