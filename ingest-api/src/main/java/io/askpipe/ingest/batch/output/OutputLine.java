package io.askpipe.ingest.batch.output;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.ingest.batch.store.BatchIds;
import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.batch.store.LineOutcome;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.completion.ChatCompletion;
import io.askpipe.schemas.completion.OpenAiError;

/**
 * One settled line of a batch as a line of its output or error file, in OpenAI's format: {@code
 * {"id": "batch_req_...", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}}.
 * A success goes to the output file with its {@code chat.completion} as the body; a failed ask to
 * the error file with its status and OpenAI's error object as the body; a line that expired or
 * was cancelled before it had an answer to the error file with no response and the error {@code
 * batch_expired} or {@code batch_cancelled}.
 *
 * @param toOutput whether it belongs in the output file (else the error file)
 * @param json the line's JSON, without its line break
 */
record OutputLine(boolean toOutput, String json) {
    /** The error code of a line the batch's completion window ended before. */
    static final String EXPIRED = "batch_expired";
    /** The error code of a line the batch's cancel ended before. */
    static final String CANCELLED = "batch_cancelled";

    /** An entry of either file. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Entry(String id, String customId, Response response, Error error) {}

    /** The answer the line's request got: its HTTP status, its ask's request id, and the body. */
    record Response(int statusCode, String requestId, Object body) {}

    /** Why a line has no response. */
    record Error(String code, String message) {}

    /** The line of the settled {@code line}. */
    static OutputLine of(BatchLines.Line line) {
        LineOutcome outcome = line.outcome()
                .orElseThrow(() -> new IllegalArgumentException("line " + line.line() + " is not settled"));
        String id = BatchIds.request(line.requestId());
        return switch (outcome) {
            case SUCCEEDED -> {
                AskResult result = result(line);
                yield new OutputLine(
                        true,
                        write(new Entry(
                                id,
                                line.customId(),
                                new Response(200, line.requestId(), ChatCompletion.of(result)),
                                null)));
            }
            case FAILED -> {
                AskResult result = result(line);
                OpenAiError error = OpenAiError.of(result.error());
                yield new OutputLine(
                        false,
                        write(new Entry(
                                id, line.customId(), new Response(error.status(), line.requestId(), error), null)));
            }
            case EXPIRED ->
                new OutputLine(
                        false,
                        write(new Entry(
                                id,
                                line.customId(),
                                null,
                                new Error(
                                        EXPIRED,
                                        "This request could not be executed before the completion window expired."))));
            case CANCELLED ->
                new OutputLine(
                        false,
                        write(new Entry(
                                id,
                                line.customId(),
                                null,
                                new Error(CANCELLED, "This request was not executed: the batch was cancelled."))));
        };
    }

    private static AskResult result(BatchLines.Line line) {
        String json = line.result()
                .orElseThrow(() -> new IllegalStateException("line " + line.line() + " ended without its result"));
        try {
            return Json.mapper().readValue(json, AskResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the result of line " + line.line() + " no longer reads", e);
        }
    }

    private static String write(Entry entry) {
        try {
            return Json.mapper().writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an output line always serializes", e);
        }
    }
}
