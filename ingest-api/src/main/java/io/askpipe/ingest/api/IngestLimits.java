package io.askpipe.ingest.api;

import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.config.Env;
import java.util.Map;

/**
 * Limits on what a client may submit: its size, and the backends and models it may name.
 *
 * @param maxBodyBytes {@code INGEST_MAX_BODY_BYTES}: largest request body (default 65536)
 * @param maxPromptChars {@code INGEST_MAX_PROMPT_CHARS}: longest prompt (default 32000)
 * @param catalog the registered backends and permitted models ({@code ASKPIPE_BACKENDS}, {@code
 *     ASKPIPE_MODELS}, read as the router reads them)
 */
public record IngestLimits(int maxBodyBytes, int maxPromptChars, BackendCatalog catalog) {
    /** The limits of a deployment that sets nothing (the prod profile: no model may be named). */
    public static final IngestLimits DEFAULTS =
            new IngestLimits(64 * 1024, 32_000, BackendCatalog.fromEnv(Env.of(Map.of())));

    public static IngestLimits fromEnv(Env env) {
        return new IngestLimits(
                env.integer("INGEST_MAX_BODY_BYTES", DEFAULTS.maxBodyBytes, 1024, 16 * 1024 * 1024),
                env.integer("INGEST_MAX_PROMPT_CHARS", DEFAULTS.maxPromptChars, 1, 4 * 1024 * 1024),
                BackendCatalog.fromEnv(env));
    }
}
