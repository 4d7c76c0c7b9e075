package io.askpipe.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
 * @param idleRate asks per second of the submit-to-result phase on the otherwise idle stack
 * @param splitCores whether the broker and PostgreSQL run pinned to one CPU and the services to
 *     another ({@code --split-cores}), rather than all of them sharing every core
 */
public record AskLoadOptions(
        int rate,
        int sustain,
        Duration duration,
        int connections,
        Path json,
        String heap,
        Optional<Path> profile,
        int idleRate,
        boolean splitCores) {
    static final String USAGE = "usage: AskLoad [--rate N] [--sustain N] [--duration SECONDS]"
            + " [--connections N] [--json FILE] [--heap SIZE] [--profile FILE.jfr] [--idle-rate N] [--split-cores]";

    /** The options that take a value. */
    private static final Set<String> VALUED =
            Set.of("rate", "sustain", "duration", "connections", "json", "heap", "profile", "idle-rate");
    /** The options that take none. */
    private static final Set<String> FLAGS = Set.of("split-cores");

    public AskLoadOptions {
        if (rate < 1 || sustain < 1 || idleRate < 1 || connections < 1 || duration.toSeconds() < 1) {
            throw new IllegalArgumentException("rates, connections and the duration must be at least 1; " + USAGE);
        }
    }

    /**
     * Reads {@code --NAME VALUE} pairs and the flags that stand alone ({@code --split-cores});
     * anything else is an {@link IllegalArgumentException} that tells the usage.
     */
    public static AskLoadOptions parse(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException(USAGE);
            }
            String name = args[i].substring(2);
            if (FLAGS.contains(name)) {
                given.put(name, "true");
            } else if (VALUED.contains(name) && i + 1 < args.length) {
                given.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(USAGE);
            }
        }
        try {
            return new AskLoadOptions(
                    Integer.parseInt(given.getOrDefault("rate", "1000")),
                    Integer.parseInt(given.getOrDefault("sustain", "5000")),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("duration", "60"))),
                    Integer.parseInt(given.getOrDefault("connections", "64")),
                    Path.of(given.getOrDefault("json", "target/askload.json")),
                    given.getOrDefault("heap", "1g"),
                    Optional.ofNullable(given.get("profile")).map(Path::of),
                    Integer.parseInt(given.getOrDefault("idle-rate", "10")),
                    given.containsKey("split-cores"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(USAGE, e);
        }
    }
}
