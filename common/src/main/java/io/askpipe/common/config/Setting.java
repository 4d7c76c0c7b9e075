package io.askpipe.common.config;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The definition of one environment variable: its name, the kind of value it holds with its
 * bounds, its default (a value, one derived from other settings, none, or "required"), and a
 * one-line doc. Each is declared once, as a constant beside the config record that reads it, and
 * read with {@link Env#get(Setting)}; the bounds and the default live here only. A default is
 * written as an operator would write the variable ({@code "5m"}, {@code "16384"}) and read by the
 * setting itself when it is defined, so the docs show it as written and a default outside the
 * bounds fails at once. Immutable: the methods that refine a definition ({@link #defaultsTo(String)},
 * {@link #doc(String)}, ...) return a new one.
 *
 * <pre>{@code
 * static final Setting<Duration> TTL = Setting.duration("IDEMPOTENCY_TTL", Duration.ofSeconds(1), Duration.ofDays(30))
 *         .defaultsTo("5m")
 *         .doc("how long an Idempotency-Key and its answer are kept");
 * }</pre>
 *
 * <p>A name with a placeholder, such as {@code <BACKEND>_TIMEOUT_MS}, defines a family of
 * variables whose names are known only at run time; {@link #forKey(String)} names one of them.
 */
public final class Setting<T> {
    private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z]+>");
    private static final Pattern KEY = Pattern.compile("[A-Z0-9_]+");

    /** Reads the text of a variable of a kind of its own; fails with a {@link ConfigException} naming it. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(String name, String raw);
    }

    /** What a setting is worth when its variable is not set. */
    private sealed interface Fallback<T> {
        record Required<T>() implements Fallback<T> {}

        record Absent<T>() implements Fallback<T> {}

        record Constant<T>(String raw, T value) implements Fallback<T> {}

        record Derived<T>(String description, Function<Env, ? extends T> derive) implements Fallback<T> {}
    }

    private final String name;
    private final Kind<T> kind;
    private final Fallback<T> fallback;
    private final String doc;
    private final boolean secret;

    private Setting(String name, Kind<T> kind, Fallback<T> fallback, String doc, boolean secret) {
        this.name = Objects.requireNonNull(name);
        this.kind = Objects.requireNonNull(kind);
        this.fallback = Objects.requireNonNull(fallback);
        this.doc = Objects.requireNonNull(doc);
        this.secret = secret;
    }

    private static <T> Setting<T> define(String name, Kind<T> kind) {
        return new Setting<>(name, kind, new Fallback.Absent<>(), "", false);
    }

    /** Any text; without a default, unset means absent. */
    public static Setting<String> text(String name) {
        return define(name, new Kind.Text());
    }

    /** An integer in {@code [min, max]}. */
    public static Setting<Integer> integer(String name, int min, int max) {
        return define(name, new Kind.Whole<>("integer", min, max, value -> (int) value));
    }

    /** A long in {@code [min, max]}. */
    public static Setting<Long> longInteger(String name, long min, long max) {
        return define(name, new Kind.Whole<>("integer", min, max, value -> value));
    }

    /** A whole number of milliseconds in {@code [min, max]}, read as a duration ({@code ..._MS} variables). */
    public static Setting<Duration> millis(String name, long min, long max) {
        return define(name, new Kind.Whole<>("milliseconds", min, max, Duration::ofMillis));
    }

    /** A duration ({@code 30s}, {@code 5m}, {@code PT5M}) in {@code [min, max]}. */
    public static Setting<Duration> duration(String name, Duration min, Duration max) {
        return define(name, new Kind.Span(min, max));
    }

    /** A comma-separated list of durations, each in {@code [min, max]}. */
    public static Setting<List<Duration>> durations(String name, Duration min, Duration max) {
        return define(name, new Kind.Spans(min, max));
    }

    /** {@code true} or {@code false} ({@code 1}/{@code 0}, {@code yes}/{@code no}, {@code on}/{@code off}). */
    public static Setting<Boolean> flag(String name) {
        return define(name, new Kind.Flag());
    }

    /** A decimal number in {@code [min, max]}. */
    public static Setting<Double> decimal(String name, double min, double max) {
        return define(name, new Kind.Decimal(min, max));
    }

    /** A value of a kind of its own ({@code type} names it in a listing), read by {@code reader}. */
    public static <T> Setting<T> of(String name, String type, Reader<T> reader) {
        return of(name, type, "", reader);
    }

    /**
     * A value of a kind of its own, read by {@code reader}, which enforces {@code bounds} ({@code
     * 0..1}), as a listing shows them.
     */
    public static <T> Setting<T> of(String name, String type, String bounds, Reader<T> reader) {
        return define(name, new Kind.Custom<>(type, bounds, reader));
    }

    /** This setting with {@code raw} as its default, written as the variable would be. */
    public Setting<T> defaultsTo(String raw) {
        return new Setting<>(name, kind, new Fallback.Constant<>(raw, kind.read(name, raw)), doc, secret);
    }

    /**
     * This setting with a default derived from other settings (or the environment) by {@code
     * derive}; {@code description} says how, as the docs show it (e.g. {@code a fifth of
     * `INGEST_PUBLISH_TIMEOUT_MS`}).
     */
    public Setting<T> derivedDefault(String description, Function<Env, ? extends T> derive) {
        return new Setting<>(name, kind, new Fallback.Derived<>(description, derive), doc, secret);
    }

    /** This setting without a default: reading it unset fails, naming it. */
    public Setting<T> required() {
        return new Setting<>(name, kind, new Fallback.Required<>(), doc, secret);
    }

    /** This setting with {@code doc}, one line on what it means. */
    public Setting<T> doc(String doc) {
        return new Setting<>(name, kind, fallback, doc, secret);
    }

    /** This setting marked as a secret: its value is never printed. */
    public Setting<T> secret() {
        return new Setting<>(name, kind, fallback, doc, true);
    }

    /** This whole-number setting with bounds {@code [min, max]} instead of its own. */
    public Setting<T> between(long min, long max) {
        if (!(kind instanceof Kind.Whole<T> whole)) {
            throw new IllegalStateException(name + " is not a whole number");
        }
        Setting<T> rebound =
                new Setting<>(name, new Kind.Whole<>(whole.label(), min, max, whole.convert()), fallback, doc, secret);
        return fallback instanceof Fallback.Constant<T> constant ? rebound.defaultsTo(constant.raw()) : rebound;
    }

    /**
     * The variable of this family for {@code key}: the placeholder of the name ({@code
     * <BACKEND>_TIMEOUT_MS}) replaced by {@code key} in upper case, {@code -} as {@code _} ({@code
     * OPENAI_TIMEOUT_MS}); everything else as defined here.
     */
    public Setting<T> forKey(String key) {
        if (!isFamily()) {
            throw new IllegalStateException(name + " names one variable, not a family");
        }
        String part = key.toUpperCase(Locale.ROOT).replace('-', '_');
        return new Setting<>(PLACEHOLDER.matcher(name).replaceFirst(part), kind, fallback, doc, secret);
    }

    /** The variable's name, or the family's with its placeholder ({@code <BACKEND>_TIMEOUT_MS}). */
    public String name() {
        return name;
    }

    /** Whether {@code variable} is this setting's, or one of this family's. */
    public boolean names(String variable) {
        Matcher placeholder = PLACEHOLDER.matcher(name);
        if (!placeholder.find()) {
            return name.equals(variable);
        }
        String prefix = name.substring(0, placeholder.start());
        String suffix = name.substring(placeholder.end());
        return variable.length() > prefix.length() + suffix.length()
                && variable.startsWith(prefix)
                && variable.endsWith(suffix)
                && KEY.matcher(variable.substring(prefix.length(), variable.length() - suffix.length()))
                        .matches();
    }

    /** Whether the name has a placeholder, to be filled in by {@link #forKey(String)}. */
    public boolean isFamily() {
        return PLACEHOLDER.matcher(name).find();
    }

    /** The kind of value, for a listing: {@code integer}, {@code milliseconds}, {@code duration}, ... */
    public String type() {
        return kind.label();
    }

    /** The bounds, for a listing ({@code 1..600000}, {@code 1s..30d}); empty when there are none. */
    public String bounds() {
        return kind.bounds();
    }

    /** One line on what the variable means. */
    public String doc() {
        return doc;
    }

    /** Whether the value is a secret, never printed. */
    public boolean isSecret() {
        return secret;
    }

    /** Whether the variable must be set. */
    public boolean isRequired() {
        return fallback instanceof Fallback.Required<T>;
    }

    /**
     * The default as the docs' tables show it: {@code required}; the value as written in code
     * quotes ({@code `5m`}); {@code (none)} when unset means absent or empty; or how a derived
     * default is derived.
     */
    public String defaultText() {
        return switch (fallback) {
            case Fallback.Required<T> required -> "required";
            case Fallback.Absent<T> absent -> "(none)";
            case Fallback.Constant<T> constant -> constant.raw().isEmpty() ? "(none)" : "`" + constant.raw() + "`";
            case Fallback.Derived<T> derived -> derived.description();
        };
    }

    /** The default written as the variable would be, when it is a constant. */
    public Optional<String> writtenDefault() {
        return fallback instanceof Fallback.Constant<T> constant ? Optional.of(constant.raw()) : Optional.empty();
    }

    /**
     * The default value, for code that builds a config without an environment.
     *
     * @throws IllegalStateException if the default is not a constant
     */
    public T defaultValue() {
        if (fallback instanceof Fallback.Constant<T> constant) {
            return constant.value();
        }
        throw new IllegalStateException(name + " has no constant default");
    }

    /** The value {@code raw} stands for; a {@link ConfigException} naming the variable if it is invalid. */
    public T parse(String raw) {
        return kind.read(name, raw);
    }

    /** What this setting is worth in {@code env} when its variable is not set. */
    T fallback(Env env) {
        return switch (fallback) {
            case Fallback.Required<T> required -> throw new ConfigException(name + " is required but not set");
            case Fallback.Absent<T> absent ->
                throw new IllegalStateException(name + " has no default: read it with Env.find");
            case Fallback.Constant<T> constant -> constant.value();
            case Fallback.Derived<T> derived -> derived.derive().apply(env);
        };
    }

    /**
     * The settings of {@code lists} in order, each name once: where two lists define the same
     * name, the first wins (a deployable lists its own variants of shared settings first).
     */
    @SafeVarargs
    public static List<Setting<?>> union(Collection<? extends Setting<?>>... lists) {
        Map<String, Setting<?>> byName = new LinkedHashMap<>();
        for (Collection<? extends Setting<?>> list : lists) {
            for (Setting<?> setting : list) {
                byName.putIfAbsent(setting.name(), setting);
            }
        }
        return List.copyOf(byName.values());
    }

    /** {@code NAME (type, bounds; default): doc}, one line for a listing. */
    @Override
    public String toString() {
        String bounds = bounds().isEmpty() ? "" : " " + bounds();
        return name + " (" + type() + bounds + ", default " + defaultText() + "): " + doc;
    }
}
