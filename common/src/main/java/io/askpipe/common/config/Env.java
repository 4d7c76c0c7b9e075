package io.askpipe.common.config;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The environment a process reads its {@link Setting}s from. Built from a plain map so that tests
 * pass their own; a blank value counts as unset. Every failure is a {@link ConfigException} that
 * names the variable and says what it expected.
 */
public final class Env {
    private final Map<String, String> vars;
    private final Consumer<String> reads;

    private Env(Map<String, String> vars, Consumer<String> reads) {
        this.vars = Map.copyOf(vars);
        this.reads = reads;
    }

    /** Reads from {@code vars}. */
    public static Env of(Map<String, String> vars) {
        return new Env(vars, name -> {});
    }

    /**
     * Reads from {@code vars} and tells {@code reads} the name of every variable it looks up, so
     * that a test can check that a config lists every setting it reads.
     */
    public static Env observed(Map<String, String> vars, Consumer<String> reads) {
        return new Env(vars, reads);
    }

    /** Reads from the process environment. */
    public static Env system() {
        return new Env(System.getenv(), name -> {});
    }

    /**
     * The value of {@code setting}: its variable's if set, else its default; fails, naming the
     * variable, when the value is invalid or a required variable is not set.
     *
     * @throws IllegalStateException if the setting has no default and is not required: read it
     *     with {@link #find(Setting)}
     */
    public <T> T get(Setting<T> setting) {
        return find(setting).orElseGet(() -> setting.fallback(this));
    }

    /** The value of {@code setting}'s variable if it is set, whatever its default; fails if it is invalid. */
    public <T> Optional<T> find(Setting<T> setting) {
        if (setting.isFamily()) {
            throw new IllegalStateException(setting.name() + " is a family of variables: read one with forKey");
        }
        return raw(setting.name()).map(setting::parse);
    }

    /** Whether {@code setting}'s variable is set (valid or not). */
    public boolean isSet(Setting<?> setting) {
        return raw(setting.name()).isPresent();
    }

    private Optional<String> raw(String name) {
        reads.accept(name);
        String value = vars.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
