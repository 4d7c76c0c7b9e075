package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where an ask stands. {@link #SUCCEEDED} and {@link #FAILED} are terminal. */
public enum AskStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED;

    /** True for the states an ask never leaves. */
    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED;
    }

    /** The lower-case wire name. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The status with wire name {@code name}. */
    public static AskStatus fromWire(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
