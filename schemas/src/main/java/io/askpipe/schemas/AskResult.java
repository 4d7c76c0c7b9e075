package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;

/**
 * The standardized outcome of one ask, published to {@code ask.results} keyed by request id. A
 * success carries {@code answer} and {@code usage}; a failure carries {@code error}. The first six
 * fields are the envelope clients see: {@code {backend, model, answer, usage, latency_ms, req_id}}.
 *
 * @param backend the backend that produced the outcome ({@code dryrun}, {@code openai}, ...)
 * @param model the model that answered, or was asked for when it failed
 * @param answer the model's answer; {@code null} when the ask failed
 * @param usage token counts; {@link Usage#NONE} when the ask failed
 * @param latencyMs time spent calling the backend, in milliseconds
 * @param reqId the request id of the ask
 * @param status {@link AskStatus#SUCCEEDED} or {@link AskStatus#FAILED}
 * @param error why it failed; {@code null} on success
 * @param attempts how many backend calls it took
 * @param completedAt when the worker finished
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
        Instant completedAt) {

    public AskResult {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(reqId, "reqId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(completedAt, "completedAt");
        if (!status.terminal()) {
            throw new IllegalArgumentException("a result is terminal, not " + status);
        }
        if ((status == AskStatus.FAILED) != (error != null)) {
            throw new IllegalArgumentException("a failed result carries an error, a success none");
        }
        if (status == AskStatus.SUCCEEDED) {
            Objects.requireNonNull(answer, "answer");
        }
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
}
