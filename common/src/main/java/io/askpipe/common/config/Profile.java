package io.askpipe.common.config;

import java.util.List;
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

    /** {@code CI}: set by CI systems; only whether it is set counts. */
    public static final Setting<String> CI_VARIABLE =
            Setting.text("CI").doc("set by CI systems (any value); when set, the default profile is `ci`");

    /** {@code ASKPIPE_PROFILE}. */
    public static final Setting<Profile> SETTING = Setting.of("ASKPIPE_PROFILE", "profile", Profile::parse)
            .derivedDefault("`ci` when `CI` is set, else `prod`", env -> env.isSet(CI_VARIABLE) ? CI : PROD)
            .doc("`dev`, `ci` or `prod`: which defaults apply where they differ by environment");

    /** The profile {@code env} asks for. */
    public static Profile detect(Env env) {
        return env.get(SETTING);
    }

    /** The settings the profile is read from. */
    public static List<Setting<?>> settings() {
        return List.of(SETTING, CI_VARIABLE);
    }

    private static Profile parse(String name, String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "dev" -> DEV;
            case "ci" -> CI;
            case "prod" -> PROD;
            default -> throw new ConfigException(name + " must be dev, ci or prod, got '" + raw + "'");
        };
    }

    /** The name as written in {@code ASKPIPE_PROFILE}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
