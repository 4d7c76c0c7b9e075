package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Who a message is from, as OpenAI's chat completions name them. */
public enum Role {
    SYSTEM,
    DEVELOPER,
    USER,
    ASSISTANT,
    TOOL;

    /** The lower-case wire name. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code wireName}, if there is one. */
    public static Optional<Role> fromWireName(String wireName) {
        return Arrays.stream(values())
                .filter(role -> role.wireName().equals(wireName))
                .findFirst();
    }

    @JsonCreator
    static Role fromWire(String wireName) {
        return fromWireName(wireName).orElseThrow(() -> new IllegalArgumentException("no role " + wireName));
    }
}
