package io.askpipe.drill.deploy;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap cap ({@code -Xmx}) of every service process a deployment starts, in whole mebibytes
 * from {@link #MIN} to {@link #MAX}.
 */
public record HeapSize(int mebibytes) {
    /** The smallest cap: below it a service does not start. */
    public static final int MIN = 64;
    /** The largest cap. */
    public static final int MAX = 4096;
    /** The cap the drill has always given its services. */
    public static final HeapSize DEFAULT = new HeapSize(256);

    private static final Pattern TEXT = Pattern.compile("(\\d{1,7})([mg])");

    public HeapSize {
        if (mebibytes < MIN || mebibytes > MAX) {
            throw new IllegalArgumentException(
                    "a heap cap is from " + MIN + "m to " + MAX / 1024 + "g, got " + mebibytes + "m");
        }
    }

    /**
     * The cap {@code text} names as {@code -Xmx} would take it, in mebibytes ({@code 128m}) or
     * gibibytes ({@code 2g}); empty when it names none, or one out of range.
     */
    public static Optional<HeapSize> parse(String text) {
        Matcher m = TEXT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long mebibytes = Long.parseLong(m.group(1)) * (m.group(2).equals("g") ? 1024 : 1);
        return mebibytes >= MIN && mebibytes <= MAX ? Optional.of(new HeapSize((int) mebibytes)) : Optional.empty();
    }

    /** The JVM option that sets it. */
    public String jvmOption() {
        return "-Xmx" + mebibytes + "m";
    }
}
