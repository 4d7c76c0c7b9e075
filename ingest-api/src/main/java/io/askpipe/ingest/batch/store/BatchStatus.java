package io.askpipe.ingest.batch.store;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a batch stands, by OpenAI's names: {@link #VALIDATING} until its input file was read, then
 * {@link #FAILED} or {@link #IN_PROGRESS}; {@link #FINALIZING} while its output and error files are
 * written; {@link #CANCELLING} once its owner cancelled it. The other four are terminal: a batch
 * never leaves them.
 */
public enum BatchStatus {
    VALIDATING(false),
    FAILED(true),
    IN_PROGRESS(false),
    FINALIZING(false),
    COMPLETED(true),
    EXPIRED(true),
    CANCELLING(false),
    CANCELLED(true);

    private final boolean terminal;

    BatchStatus(boolean terminal) {
        this.terminal = terminal;
    }

    /** True for the statuses a batch never leaves. */
    public boolean terminal() {
        return terminal;
    }

    /** The lower-case name on the wire and in the database. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of the webhook event a batch that reached this terminal status sends: {@code batch.completed}. */
    public String eventType() {
        if (!terminal) {
            throw new IllegalStateException(this + " is not terminal: it has no event");
        }
        return "batch." + wireName();
    }

    /** The status written as {@code name}, if there is one. */
    public static Optional<BatchStatus> fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
    }
}
