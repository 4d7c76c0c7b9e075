package io.askpipe.common.log;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The logging variables logback.xml reads: {@code LOG_FORMAT} ({@code json}, the default, or
 * {@code text}), {@code LOG_LEVEL} (of everything, default INFO) and {@code LOG_ASKS} (of the line
 * per ask and hop, default INFO). Logback itself cannot refuse a bad value, so each process checks
 * them first thing.
 */
public final class LogSettings {
    private static final Set<String> FORMATS = Set.of("json", "text");
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    public static final Setting<String> FORMAT = Setting.of("LOG_FORMAT", "log format", LogSettings::format)
            .defaultsTo("json")
            .doc("`json`: one JSON object per line; `text`: one readable line per event");
    public static final Setting<String> LEVEL = Setting.of("LOG_LEVEL", "log level", LogSettings::level)
            .defaultsTo("INFO")
            .doc("level of every logger (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `OFF`)");
    public static final Setting<String> ASKS = Setting.of("LOG_ASKS", "log level", LogSettings::level)
            .defaultsTo("INFO")
            .doc("level of the one line per ask and hop (loggers `io.askpipe.{ingest,router,store}.asks`)");

    private LogSettings() {}

    /**
     * Fails with a message naming the variable when a logging variable has a value logback would
     * misread, and names {@code service} as this process's for JSON lines of library code.
     */
    public static void apply(Env env, String service) {
        env.get(FORMAT);
        env.get(LEVEL);
        env.get(ASKS);
        ServiceJsonProvider.processService(service);
    }

    /** The settings {@link #apply} checks. */
    public static List<Setting<?>> settings() {
        return List.of(FORMAT, LEVEL, ASKS);
    }

    private static String format(String name, String raw) {
        if (!FORMATS.contains(raw)) {
            throw new ConfigException(name + " must be json or text, got '" + raw + "'");
        }
        return raw;
    }

    private static String level(String name, String raw) {
        if (!LEVELS.contains(raw.toUpperCase(Locale.ROOT))) {
            throw new ConfigException(name + " must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got '" + raw + "'");
        }
        return raw;
    }
}
