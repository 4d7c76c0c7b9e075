package io.askpipe.common.config;

import java.util.Map;
import java.util.Optional;

/**
 * Typed, validated reads of environment variables. Built from a plain map so that tests pass their
 * own; a blank value counts as unset. Every failure is a {@link ConfigException} that names the
 * variable and says what it expected.
 */
public final class Env {
    private final Map<String, String> vars;

    private Env(Map<String, String> vars) {
        this.vars = Map.copyOf(vars);
    }

    /** Reads from {@code vars}. */
    public static Env of(Map<String, String> vars) {
        return new Env(vars);
    }

    /** Reads from the process environment. */
    public static Env system() {
        return new Env(System.getenv());
    }

    /** The value of {@code name}, if set and not blank. */
    public Optional<String> optional(String name) {
        String value = vars.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** The value of {@code name}, or {@code defaultValue}. */
    public String string(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    /** The value of {@code name}; fails when it is not set. */
    public String required(String name) {
        return optional(name).orElseThrow(() -> new ConfigException(name + " is required but not set"));
    }

    /** An integer in {@code [min, max]}, or {@code defaultValue}. */
    public int integer(String name, int defaultValue, int min, int max) {
        return (int) longValue(name, defaultValue, min, max);
    }

    /** A long in {@code [min, max]}, or {@code defaultValue}. */
    public long longValue(String name, long defaultValue, long min, long max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be an integer, got '" + raw.get() + "'");
        }
        if (value < min || value > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /**
     * A duration such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601
     * ({@code PT5M}), in {@code [min, max]}, or {@code defaultValue}.
     */
    public java.time.Duration duration(
            String name, java.time.Duration defaultValue, java.time.Duration min, java.time.Duration max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        java.time.Duration value = parseDuration(raw.get())
                .orElseThrow(() -> new ConfigException(
                        name + " must be a duration such as 30s, 5m, 2h or PT5M, got '" + raw.get() + "'"));
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /**
     * A comma-separated list of durations (each as {@link #duration} reads it, each in {@code [min,
     * max]}), or {@code defaultValue}.
     */
    public java.util.List<java.time.Duration> durations(
            String name,
            java.util.List<java.time.Duration> defaultValue,
            java.time.Duration min,
            java.time.Duration max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        java.util.List<java.time.Duration> values = new java.util.ArrayList<>();
        for (String part : raw.get().split(",")) {
            java.time.Duration value = parseDuration(part.strip())
                    .orElseThrow(() -> new ConfigException(name
                            + " must be a comma-separated list of durations such as 0s,5s,5m, got '" + raw.get()
                            + "'"));
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new ConfigException(name + " values must be between " + min + " and " + max + ", got " + value);
            }
            values.add(value);
        }
        return java.util.List.copyOf(values);
    }

    private static Optional<java.time.Duration> parseDuration(String text) {
        var matcher = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)")
                .matcher(text.toLowerCase(java.util.Locale.ROOT));
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return Optional.of(
                    switch (matcher.group(2)) {
                        case "ms" -> java.time.Duration.ofMillis(amount);
                        case "s" -> java.time.Duration.ofSeconds(amount);
                        case "m" -> java.time.Duration.ofMinutes(amount);
                        case "h" -> java.time.Duration.ofHours(amount);
                        default -> java.time.Duration.ofDays(amount);
                    });
        }
        try {
            return Optional.of(java.time.Duration.parse(text));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code true}/{@code false} (also {@code 1}/{@code 0}, {@code yes}/{@code no}), or the default. */
    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new ConfigException(name + " must be true or false, got '" + raw.get() + "'");
        };
    }
}
