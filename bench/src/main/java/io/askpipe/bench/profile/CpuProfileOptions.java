package io.askpipe.bench.profile;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What one run of the CPU profile reads and writes, from its command line.
 *
 * @param recording the JFR recording to read
 * @param perAskMs the JVM's CPU per ask, in milliseconds, that the shares are split into, if given
 * @param json where the figures are written as JSON, if anywhere
 */
public record CpuProfileOptions(Path recording, Optional<Double> perAskMs, Optional<Path> json) {
    static final String USAGE = "usage: CpuProfile FILE.jfr [--per-ask-ms X] [--json FILE]";

    public CpuProfileOptions {
        if (perAskMs.filter(ms -> !(ms > 0) || ms.isInfinite()).isPresent()) {
            throw new IllegalArgumentException(USAGE);
        }
    }

    /**
     * Reads the recording's path and {@code --NAME VALUE} pairs, paths relative to {@code dir};
     * anything else is an {@link IllegalArgumentException} that tells the usage.
     */
    public static CpuProfileOptions parse(Path dir, String... args) {
        Optional<Path> recording = Optional.empty();
        Optional<Double> perAskMs = Optional.empty();
        Optional<Path> json = Optional.empty();
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--") && recording.isEmpty()) {
                    recording = Optional.of(dir.resolve(arg));
                } else if (arg.equals("--per-ask-ms") && i + 1 < args.length && perAskMs.isEmpty()) {
                    perAskMs = Optional.of(Double.parseDouble(args[++i]));
                } else if (arg.equals("--json") && i + 1 < args.length && json.isEmpty()) {
                    json = Optional.of(dir.resolve(args[++i]));
                } else {
                    throw new IllegalArgumentException(USAGE);
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(USAGE, e);
        }
        return new CpuProfileOptions(recording.orElseThrow(() -> new IllegalArgumentException(USAGE)), perAskMs, json);
    }
}
