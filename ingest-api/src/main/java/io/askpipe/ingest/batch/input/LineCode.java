package io.askpipe.ingest.batch.input;

/**
 * The closed list of why a batch's input file fails validation, each an entry of the batch's
 * {@code errors}: OpenAI's codes where it has one ({@code invalid_json_line}, {@code
 * duplicate_custom_id}, {@code url_mismatch}, {@code empty_file}, {@code too_many_tasks}, {@code
 * missing_required_parameter}, {@code unknown_parameter}), askpipe's own otherwise.
 */
public enum LineCode {
    /** The line is not one JSON object (or repeats a member, or has something after it). */
    INVALID_JSON_LINE("invalid_json_line"),
    /** The line is longer than an ask may be ({@code ASK_MAX_BYTES}). */
    LINE_TOO_LARGE("line_too_large"),
    /** {@code custom_id}, {@code method}, {@code url} or {@code body} is missing. */
    MISSING_REQUIRED_PARAMETER("missing_required_parameter"),
    /** A member other than those four. */
    UNKNOWN_PARAMETER("unknown_parameter"),
    /** {@code custom_id} is not a string of 1 to {@value InputLineParser#MAX_CUSTOM_ID_CHARS} characters. */
    INVALID_CUSTOM_ID("invalid_custom_id"),
    /** {@code custom_id} repeats an earlier line's. */
    DUPLICATE_CUSTOM_ID("duplicate_custom_id"),
    /** {@code method} is not {@code POST}. */
    INVALID_METHOD("invalid_method"),
    /** {@code url} is not the batch's endpoint. */
    URL_MISMATCH("url_mismatch"),
    /** {@code body} is not what {@code POST /v1/ask} takes at batch priority; {@code param} names the member. */
    INVALID_BODY("invalid_body"),
    /** The file holds no request at all. */
    EMPTY_FILE("empty_file"),
    /** The file holds more requests than {@code BATCH_MAX_LINES}. */
    TOO_MANY_TASKS("too_many_tasks"),
    /** The input file is gone (deleted or expired) or is not a batch's. */
    INPUT_FILE_UNAVAILABLE("input_file_unavailable");

    private final String code;

    LineCode(String code) {
        this.code = code;
    }

    /** The stable name in a batch's {@code errors}. */
    public String code() {
        return code;
    }
}
