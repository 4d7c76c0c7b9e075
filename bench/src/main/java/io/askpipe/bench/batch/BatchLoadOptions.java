package io.askpipe.bench.batch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one run of the batch benchmark does, from its command line.
 *
 * @param lines the batch's lines
 * @param rate interactive asks per second, alone and beside the batch
 * @param seconds how long the interactive asks run alone
 * @param closedSeconds how long the closed loop that measures completed interactive asks runs
 * @param clients submits in flight in that closed loop
 * @param promptWords words of every ask's and line's message
 * @param sample how often each service's memory is read
 * @param workers router worker processes
 * @param chunk {@code BATCH_EXPANSION_CHUNK} for ingest, if not its default
 * @param json where the figures are written
 */
public record BatchLoadOptions(
        int lines,
        int rate,
        Duration seconds,
        Duration closedSeconds,
        int clients,
        int promptWords,
        Duration sample,
        int workers,
        Optional<Integer> chunk,
        Path json) {
    static final String USAGE = "usage: BatchLoad [--lines 50000] [--rate 50] [--seconds 30] [--closed-seconds 30]"
            + " [--clients 64] [--prompt-words 100] [--sample-ms 500] [--workers 1] [--chunk LINES]"
            + " [--json target/batchload.json]";

    private static final Set<String> NAMES = Set.of(
            "lines",
            "rate",
            "seconds",
            "closed-seconds",
            "clients",
            "prompt-words",
            "sample-ms",
            "workers",
            "chunk",
            "json");

    public BatchLoadOptions {
        if (lines < 1
                || rate < 1
                || seconds.isNegative()
                || closedSeconds.isNegative()
                || clients < 1
                || promptWords < 1
                || sample.isZero()
                || sample.isNegative()
                || workers < 1) {
            throw new IllegalArgumentException(USAGE);
        }
    }

    /** Reads {@code --NAME VALUE} pairs; anything else is an {@link IllegalArgumentException} that tells the usage. */
    public static BatchLoadOptions parse(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !NAMES.contains(args[i].substring(2))) {
                throw new IllegalArgumentException(USAGE);
            }
            given.put(args[i].substring(2), args[i + 1]);
        }
        try {
            return new BatchLoadOptions(
                    Integer.parseInt(given.getOrDefault("lines", "50000")),
                    Integer.parseInt(given.getOrDefault("rate", "50")),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("seconds", "30"))),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("closed-seconds", "30"))),
                    Integer.parseInt(given.getOrDefault("clients", "64")),
                    Integer.parseInt(given.getOrDefault("prompt-words", "100")),
                    Duration.ofMillis(Long.parseLong(given.getOrDefault("sample-ms", "500"))),
                    Integer.parseInt(given.getOrDefault("workers", "1")),
                    Optional.ofNullable(given.get("chunk")).map(Integer::parseInt),
                    Path.of(given.getOrDefault("json", "target/batchload.json")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(USAGE, e);
        }
    }

    /** The settings the ingest-api gets beyond the deployment's own. */
    Map<String, String> ingestSettings() {
        return chunk.map(lines -> Map.of("BATCH_EXPANSION_CHUNK", Integer.toString(lines)))
                .orElse(Map.of());
    }
}
