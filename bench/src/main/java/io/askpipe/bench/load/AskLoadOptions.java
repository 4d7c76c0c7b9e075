package io.askpipe.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one run of the load generator does, from its command line.
 *
 * @param rate asks per second of the submit-to-result phase
 * @param sustain asks per second offered in the completed-asks phase
 * @param duration the length of each open-loop phase
 * @param connections keep-alive connections of the client (asks in flight at the ingest peak)
 * @param json where the figures are written
 * @param heap the stack JVM's {@code -Xmx}
 * @param profile where the stack's JFR recording goes, if one is asked for
 */
public record AskLoadOptions(
        int rate, int sustain, Duration duration, int connections, Path json, String heap, Optional<Path> profile) {
    static final String USAGE = "usage: AskLoad [--rate N] [--sustain N] [--duration SECONDS]"
            + " [--connections N] [--json FILE] [--heap SIZE] [--profile FILE.jfr]";

    /** Reads {@code --NAME VALUE} pairs; anything else is an {@link IllegalArgumentException} that tells the usage. */
    public static AskLoadOptions parse(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(USAGE);
            }
            given.put(args[i].substring(2), args[i + 1]);
        }
        return new AskLoadOptions(
                Integer.parseInt(given.getOrDefault("rate", "1000")),
                Integer.parseInt(given.getOrDefault("sustain", "5000")),
                Duration.ofSeconds(Long.parseLong(given.getOrDefault("duration", "60"))),
                Integer.parseInt(given.getOrDefault("connections", "64")),
                Path.of(given.getOrDefault("json", "target/askload.json")),
                given.getOrDefault("heap", "1g"),
                Optional.ofNullable(given.get("profile")).map(Path::of));
    }
}
