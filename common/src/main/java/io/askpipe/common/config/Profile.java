package io.askpipe.common.config;

import java.util.Locale;

/**
 * Which kind of environment a service runs in. {@code ASKPIPE_PROFILE} says so explicitly ({@code
 * dev}, {@code ci} or {@code prod}); without it a service runs as {@code ci} when {@code CI} is set
 * (as every CI system sets it) and as {@code prod} otherwise, so that a forgotten setting errs on
 * the strict side. The dev stack sets {@code dev} for itself.
 */
public enum Profile {
    DEV,
    CI,
    PROD;

    /** The profile {@code env} asks for. */
    public static Profile detect(Env env) {
        return env.optional("ASKPIPE_PROFILE")
                .map(Profile::parse)
                .orElseGet(() -> env.optional("CI").isPresent() ? CI : PROD);
    }

    private static Profile parse(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "dev" -> DEV;
            case "ci" -> CI;
            case "prod" -> PROD;
            default -> throw new ConfigException("ASKPIPE_PROFILE must be dev, ci or prod, got '" + raw + "'");
        };
    }

    /** The name as written in {@code ASKPIPE_PROFILE}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
