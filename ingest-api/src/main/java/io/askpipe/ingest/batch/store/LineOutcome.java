package io.askpipe.ingest.batch.store;

import io.askpipe.schemas.AskStatus;
import java.util.Locale;

/** How a batch's line ended: its ask's terminal status, or the batch's expiry or cancel before it had one. */
public enum LineOutcome {
    SUCCEEDED,
    FAILED,
    EXPIRED,
    CANCELLED;

    /** The lower-case name in the database. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The outcome written as {@code name}. */
    public static LineOutcome fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The outcome of a line whose ask ended {@code status}. */
    public static LineOutcome of(AskStatus status) {
        return switch (status) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case EXPIRED -> EXPIRED;
            case CANCELLED -> CANCELLED;
            case QUEUED, RUNNING -> throw new IllegalArgumentException(status + " is not an outcome");
        };
    }
}
