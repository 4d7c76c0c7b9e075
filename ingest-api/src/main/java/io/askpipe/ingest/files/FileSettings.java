package io.askpipe.ingest.files;

import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The limits of an upload and how long an uploaded file is kept.
 *
 * @param maxFileBytes {@code BATCH_MAX_FILE_BYTES}: the largest file {@code POST /v1/files} takes
 * @param maxLines {@code BATCH_MAX_LINES}: the most lines a file of purpose {@code batch} may have
 * @param retention {@code FILE_RETENTION}: how long after its upload a file expires and is deleted
 */
public record FileSettings(long maxFileBytes, int maxLines, Duration retention) {
    public static final Setting<Long> MAX_FILE_BYTES = Setting.longInteger("BATCH_MAX_FILE_BYTES", 1, 8L << 30)
            .defaultsTo(String.valueOf(200L << 20))
            .doc("the largest file `POST /v1/files` takes, in bytes; a larger one is refused with `413`");
    public static final Setting<Integer> MAX_LINES = Setting.integer("BATCH_MAX_LINES", 1, 10_000_000)
            .defaultsTo("50000")
            .doc("the most lines a file uploaded for a batch may have; more is refused with `400`");
    public static final Setting<Duration> RETENTION = Setting.duration(
                    "FILE_RETENTION", Duration.ofMinutes(1), Duration.ofDays(3650))
            .defaultsTo("30d")
            .doc("how long an uploaded file is kept: it expires that long after its upload and is then deleted");

    /** The environment's defaults: 200 MiB, 50,000 lines, 30 days. */
    public static final FileSettings DEFAULTS =
            new FileSettings(MAX_FILE_BYTES.defaultValue(), MAX_LINES.defaultValue(), RETENTION.defaultValue());

    public static FileSettings fromEnv(Env env) {
        return new FileSettings(env.get(MAX_FILE_BYTES), env.get(MAX_LINES), env.get(RETENTION));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(MAX_FILE_BYTES, MAX_LINES, RETENTION);
    }
}
