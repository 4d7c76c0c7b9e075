package io.askpipe.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What kind of value a setting holds and how its text becomes one, bounds included: each kind
 * fails with a {@link ConfigException} that names the variable and says what it expected.
 */
sealed interface Kind<T> {
    /** The value {@code raw} (stripped, not blank) stands for. */
    T read(String name, String raw);

    /** The kind's name in a listing: {@code integer}, {@code duration}, ... */
    String label();

    /** The bounds in a listing, empty when any value of the kind will do. */
    String bounds();

    /** A whole number in {@code [min, max]}, converted to the setting's type (int, long, a duration in ms). */
    record Whole<T>(String label, long min, long max, LongFunction<T> convert) implements Kind<T> {
        @Override
        public T read(String name, String raw) {
            long value;
            try {
                value = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be an integer, got '" + raw + "'");
            }
            if (value < min || value > max) {
                throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + value);
            }
            return convert.apply(value);
        }

        @Override
        public String bounds() {
            return min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "" : min + ".." + max;
        }
    }

    /**
     * A duration such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601
     * ({@code PT5M}), in {@code [min, max]}.
     */
    record Span(Duration min, Duration max) implements Kind<Duration> {
        @Override
        public Duration read(String name, String raw) {
            Duration value = parse(raw)
                    .orElseThrow(() -> new ConfigException(
                            name + " must be a duration such as 30s, 5m, 2h or PT5M, got '" + raw + "'"));
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        }

        @Override
        public String label() {
            return "duration";
        }

        @Override
        public String bounds() {
            return show(min) + ".." + show(max);
        }
    }

    /** A comma-separated list of durations, each as {@link Span} reads it and each in {@code [min, max]}. */
    record Spans(Duration min, Duration max) implements Kind<List<Duration>> {
        @Override
        public List<Duration> read(String name, String raw) {
            List<Duration> values = new ArrayList<>();
            for (String part : raw.split(",")) {
                Duration value = parse(part.strip())
                        .orElseThrow(() -> new ConfigException(name
                                + " must be a comma-separated list of durations such as 0s,5s,5m, got '" + raw + "'"));
                if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                    throw new ConfigException(
                            name + " values must be between " + min + " and " + max + ", got " + value);
                }
                values.add(value);
            }
            return List.copyOf(values);
        }

        @Override
        public String label() {
            return "durations";
        }

        @Override
        public String bounds() {
            return "each " + show(min) + ".." + show(max);
        }
    }

    /** A decimal number in {@code [min, max]}. */
    record Decimal(double min, double max) implements Kind<Double> {
        @Override
        public Double read(String name, String raw) {
            double value;
            try {
                value = Double.parseDouble(raw);
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a number, got '" + raw + "'");
            }
            if (!(value >= min && value <= max)) {
                throw new ConfigException(
                        name + " must be between " + show(min) + " and " + show(max) + ", got " + value);
            }
            return value;
        }

        @Override
        public String label() {
            return "number";
        }

        @Override
        public String bounds() {
            return show(min) + ".." + show(max);
        }

        private static String show(double bound) {
            return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
        }
    }

    /** {@code true}/{@code false} (also {@code 1}/{@code 0}, {@code yes}/{@code no}, {@code on}/{@code off}). */
    record Flag() implements Kind<Boolean> {
        @Override
        public Boolean read(String name, String raw) {
            return switch (raw.toLowerCase(Locale.ROOT)) {
                case "1", "true", "yes", "on" -> true;
                case "0", "false", "no", "off" -> false;
                default -> throw new ConfigException(name + " must be true or false, got '" + raw + "'");
            };
        }

        @Override
        public String label() {
            return "boolean";
        }

        @Override
        public String bounds() {
            return "";
        }
    }

    /** Any text, as written (stripped). */
    record Text() implements Kind<String> {
        @Override
        public String read(String name, String raw) {
            return raw;
        }

        @Override
        public String label() {
            return "string";
        }

        @Override
        public String bounds() {
            return "";
        }
    }

    /** A kind of the setting's own, read by its {@link Setting.Reader}, which enforces the bounds it states. */
    record Custom<T>(String label, String bounds, Setting.Reader<T> reader) implements Kind<T> {
        @Override
        public T read(String name, String raw) {
            return reader.read(name, raw);
        }
    }

    Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    /** {@code text} as a duration in short ({@code 5m}) or ISO-8601 ({@code PT5M}) form, if it is one. */
    static Optional<Duration> parse(String text) {
        Matcher matcher = SHORT_DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return Optional.of(
                    switch (matcher.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> Duration.ofDays(amount);
                    });
        }
        try {
            return Optional.of(Duration.parse(text));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code duration} in the largest short unit that holds it exactly ({@code 30d}, {@code 1h}, {@code 100ms}). */
    static String show(Duration duration) {
        long ms = duration.toMillis();
        if (ms == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000, 3_600_000, 60_000, 1_000};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
