package io.askpipe.ingest.api;

import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.util.List;
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
    public static final Setting<Integer> MAX_BODY_BYTES = Setting.integer(
                    "INGEST_MAX_BODY_BYTES", 1024, 16 * 1024 * 1024)
            .defaultsTo("65536")
            .doc("largest request body; larger is `413`");
    public static final Setting<Integer> MAX_PROMPT_CHARS = Setting.integer(
                    "INGEST_MAX_PROMPT_CHARS", 1, 4 * 1024 * 1024)
            .defaultsTo("32000")
            .doc("longest prompt; longer is `422`");

    /** The limits of a deployment that sets nothing (the prod profile: no model may be named). */
    public static final IngestLimits DEFAULTS = fromEnv(Env.of(Map.of()));

    public static IngestLimits fromEnv(Env env) {
        return new IngestLimits(env.get(MAX_BODY_BYTES), env.get(MAX_PROMPT_CHARS), BackendCatalog.fromEnv(env));
    }

    /** The settings {@link #fromEnv} reads, the backend catalog's among them. */
    public static List<Setting<?>> settings() {
        return Setting.union(List.of(MAX_BODY_BYTES, MAX_PROMPT_CHARS), BackendCatalog.settings());
    }
}
