package io.askpipe.bench.cost;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What one run of the cost model does, from its command line.
 *
 * @param asks the asks each step is measured over
 * @param warmup the asks each step runs first, not counted (by default as many as {@code asks}: a
 *     shorter warm-up leaves much of the JIT compilers' work in the measured run)
 * @param batch the operations in flight at once, or the asks of one batch where the pipeline
 *     writes a batch
 * @param recordBytes the size of one ask as JSON on {@code ask.requests}
 * @param json where the figures are written
 */
public record CostModelOptions(int asks, int warmup, int batch, int recordBytes, Path json) {
    static final String USAGE =
            "usage: CostModel [--asks N] [--warmup N] [--batch N] [--record-bytes N]" + " [--json FILE]";
    private static final Set<String> NAMES = Set.of("asks", "warmup", "batch", "record-bytes", "json");

    public CostModelOptions {
        if (asks < 1 || warmup < 0 || batch < 1 || recordBytes < 1) {
            throw new IllegalArgumentException(USAGE + " (asks, batch and record bytes at least 1)");
        }
    }

    /** Reads {@code --NAME VALUE} pairs; anything else is an {@link IllegalArgumentException} that tells the usage. */
    public static CostModelOptions parse(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !NAMES.contains(args[i].substring(2))) {
                throw new IllegalArgumentException(USAGE);
            }
            given.put(args[i].substring(2), args[i + 1]);
        }
        try {
            int asks = Integer.parseInt(given.getOrDefault("asks", "20000"));
            return new CostModelOptions(
                    asks,
                    Integer.parseInt(given.getOrDefault("warmup", String.valueOf(asks))),
                    Integer.parseInt(given.getOrDefault("batch", "64")),
                    Integer.parseInt(given.getOrDefault("record-bytes", "2048")),
                    Path.of(given.getOrDefault("json", "target/costmodel.json")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(USAGE, e);
        }
    }

    /** The asks a step runs in all: its warm-up, then the measured ones. */
    int total() {
        return warmup + asks;
    }
}
