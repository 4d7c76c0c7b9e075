package io.askpipe.ingest.api;

import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.kafka.AskSizes;
import java.util.List;
import java.util.Map;

/**
 * Limits on what a client may submit: its size, and the backends and models it may name.
 *
 * @param maxBodyBytes {@code ASK_MAX_BYTES}: largest request body (default 4 MiB), the size every
 *     Kafka limit is derived from ({@link AskSizes})
 * @param maxPromptChars {@code INGEST_MAX_PROMPT_CHARS}: longest prompt (default {@code
 *     ASK_MAX_BYTES}: no limit beyond the body's)
 * @param catalog the registered backends and permitted models ({@code ASKPIPE_BACKENDS}, {@code
 *     ASKPIPE_MODELS}, read as the router reads them)
 */
public record IngestLimits(int maxBodyBytes, int maxPromptChars, BackendCatalog catalog) {
    /** The largest request body: {@code ASK_MAX_BYTES}, from which Kafka's limits are derived too. */
    public static final Setting<Integer> MAX_BODY_BYTES = AskSizes.ASK_MAX_BYTES;
    /** The body limit of earlier versions, replaced by {@code ASK_MAX_BYTES}: set, it stops ingest. */
    public static final Setting<String> RETIRED_MAX_BODY_BYTES = Setting.text("INGEST_MAX_BODY_BYTES")
            .doc("replaced by `ASK_MAX_BYTES`; set, it stops ingest at start-up, naming its replacement");

    public static final Setting<Integer> MAX_PROMPT_CHARS = Setting.integer(
                    "INGEST_MAX_PROMPT_CHARS", 1, AskSizes.MAX_ASK_BYTES)
            .derivedDefault("`ASK_MAX_BYTES`", env -> env.get(MAX_BODY_BYTES))
            .doc("longest prompt; longer is `422`");

    /** The limits of a deployment that sets nothing (the prod profile: no model may be named). */
    public static final IngestLimits DEFAULTS = fromEnv(Env.of(Map.of()));

    public static IngestLimits fromEnv(Env env) {
        if (env.isSet(RETIRED_MAX_BODY_BYTES)) {
            throw new ConfigException("INGEST_MAX_BODY_BYTES is replaced by ASK_MAX_BYTES, from which Kafka's"
                    + " record limits are derived as well: set that instead, and unset INGEST_MAX_BODY_BYTES");
        }
        return new IngestLimits(env.get(MAX_BODY_BYTES), env.get(MAX_PROMPT_CHARS), BackendCatalog.fromEnv(env));
    }

    /** The settings {@link #fromEnv} reads, the backend catalog's among them. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                List.of(MAX_BODY_BYTES, RETIRED_MAX_BODY_BYTES, MAX_PROMPT_CHARS), BackendCatalog.settings());
    }
}
