package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.schemas.Priority;

/**
 * Reads an ask's {@code priority}: one of {@link Priority#wireNames()}, {@code interactive} when
 * absent or {@code null}.
 */
public final class PriorityReader {
    private PriorityReader() {}

    /** The priority {@code body} asks for. */
    public static Priority read(JsonNode body) {
        Pointer at = Pointer.ROOT.field("priority");
        return Values.member(body, "priority")
                .map(node -> Priority.fromWire(Values.string(node, at))
                        .orElseThrow(() -> at.invalid("must be one of " + String.join(", ", Priority.wireNames()))))
                .orElse(Priority.INTERACTIVE);
    }
}
