package io.askpipe.ingest;

import io.askpipe.common.Env;

/**
 * Size limits on what a client may submit.
 *
 * @param maxBodyBytes {@code INGEST_MAX_BODY_BYTES}: largest request body (default 65536)
 * @param maxPromptChars {@code INGEST_MAX_PROMPT_CHARS}: longest prompt (default 32000)
 */
public record IngestLimits(int maxBodyBytes, int maxPromptChars) {
    public static final IngestLimits DEFAULTS = new IngestLimits(64 * 1024, 32_000);

    public static IngestLimits fromEnv(Env env) {
        return new IngestLimits(
                env.integer("INGEST_MAX_BODY_BYTES", DEFAULTS.maxBodyBytes, 1024, 16 * 1024 * 1024),
                env.integer("INGEST_MAX_PROMPT_CHARS", DEFAULTS.maxPromptChars, 1, 4 * 1024 * 1024));
    }
}
