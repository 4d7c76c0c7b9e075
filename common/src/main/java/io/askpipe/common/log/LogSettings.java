package io.askpipe.common.log;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
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

    private LogSettings() {}

    /**
     * Fails with a message naming the variable when a logging variable has a value logback would
     * misread, and names {@code service} as this process's for JSON lines of library code.
     */
    public static void apply(Env env, String service) {
        String format = env.string("LOG_FORMAT", "json");
        if (!FORMATS.contains(format)) {
            throw new ConfigException("LOG_FORMAT must be json or text, got '" + format + "'");
        }
        for (String name : new String[] {"LOG_LEVEL", "LOG_ASKS"}) {
            String level = env.string(name, "INFO");
            if (!LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
                throw new ConfigException(
                        name + " must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got '" + level + "'");
            }
        }
        ServiceJsonProvider.processService(service);
    }
}
