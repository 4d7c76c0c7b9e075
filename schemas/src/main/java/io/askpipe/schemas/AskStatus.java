package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where an ask stands. {@link #QUEUED} and {@link #RUNNING} are on the way; every other status is
 * terminal, an ask never leaves it, and only {@link #SUCCEEDED} carries an answer: the others carry
 * an error saying why there is none. A new way for an ask to end is a new terminal member here, and
 * every reader of {@link #terminal()} and {@link #TERMINAL} takes it as one.
 */
public enum AskStatus {
    QUEUED(false),
    RUNNING(false),
    SUCCEEDED(true),
    /** The backends failed it, or the deployment refused it. */
    FAILED(true),
    /** Its deadline ({@code expires_after} or {@code deadline}) passed before it had an answer. */
    EXPIRED(true),
    /** Its owner cancelled it ({@code POST /v1/ask/{id}/cancel}) before it had another outcome. */
    CANCELLED(true);

    /** The terminal statuses, in declaration order. */
    public static final List<AskStatus> TERMINAL =
            Arrays.stream(values()).filter(AskStatus::terminal).toList();

    private final boolean terminal;

    AskStatus(boolean terminal) {
        this.terminal = terminal;
    }

    /** True for the states an ask never leaves. */
    public boolean terminal() {
        return terminal;
    }

    /** True for the terminal states without an answer, whose result carries an error instead. */
    public boolean unanswered() {
        return terminal && this != SUCCEEDED;
    }

    /** The lower-case wire name. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The wire names of {@link #TERMINAL}. */
    public static List<String> terminalWireNames() {
        return TERMINAL.stream().map(AskStatus::wireName).toList();
    }

    /** The status with wire name {@code name}. */
    public static AskStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
