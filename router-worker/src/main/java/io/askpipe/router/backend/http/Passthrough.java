package io.askpipe.router.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The merge of an ask's {@code extra} object into a vendor's request body: each member of {@code
 * extra} is added at the top level of the body as it is; where both hold an object under the same
 * name (Ollama's {@code options}), the objects are merged member by member. A member the body
 * already has with another value is refused, naming it, rather than either value being dropped:
 * what the ask says at the top level is checked by ingest, and the backend's own mapping of it
 * must not be overridden behind its back.
 */
public final class Passthrough {
    /** Where {@code extra} is in an ask. */
    private static final String EXTRA = "/extra";

    private Passthrough() {}

    /**
     * Merges {@code extra} (or nothing, when {@code null}) into {@code body}.
     *
     * @throws UnsupportedField naming the member of {@code extra} whose value differs from the one
     *     the body already has
     */
    public static void merge(ObjectNode body, ObjectNode extra) throws UnsupportedField {
        if (extra != null) {
            merge(body, extra, EXTRA);
        }
    }

    private static void merge(ObjectNode body, ObjectNode extra, String at) throws UnsupportedField {
        for (Map.Entry<String, JsonNode> member : extra.properties()) {
            String name = member.getKey();
            JsonNode value = member.getValue();
            JsonNode existing = body.get(name);
            String memberAt = UnsupportedField.member(at, name);
            if (existing == null) {
                body.set(name, value.deepCopy());
            } else if (existing.isObject() && value.isObject()) {
                merge((ObjectNode) existing, (ObjectNode) value, memberAt);
            } else if (!existing.equals(value)) {
                throw new UnsupportedField(
                        memberAt,
                        "conflicts with " + existing + ", which the backend's request already has from the ask;"
                                + " set it in one place");
            }
        }
    }
}
