package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How soon an ask wants its answer. When asks of both priorities wait for the same capacity,
 * {@link #INTERACTIVE} ones go first, and {@link #BATCH} ones still get a documented share so they
 * are never starved ({@link #BATCH_ONE_IN}).
 */
public enum Priority {
    /** A person or a request path waits for the answer: the default. */
    INTERACTIVE,
    /** Bulk work that may wait (batch lines, backfills). */
    BATCH;

    /**
     * The share batch asks keep while interactive ones wait for the same capacity: at least one
     * grant in this many goes to a waiting batch ask, so a steady interactive load never starves
     * batch work (it gets at least 10%), and an idle interactive side leaves batch everything.
     */
    public static final int BATCH_ONE_IN = 10;

    /** The lower-case wire name. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The priority with wire name {@code name}, if there is one. */
    public static Optional<Priority> fromWire(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName().equals(name)).findFirst();
    }

    /** The wire names, in declaration order. */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(Priority::wireName).toList();
    }

    @JsonCreator
    static Priority ofWire(String name) {
        return fromWire(name).orElseThrow(() -> new IllegalArgumentException("unknown priority " + name));
    }
}
