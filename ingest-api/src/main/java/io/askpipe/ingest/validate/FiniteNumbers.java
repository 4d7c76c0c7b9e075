package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Refuses a number that is not finite anywhere in free-form JSON ({@code extra}, a tool's {@code
 * parameters}, a response format's {@code schema}): JSON reads a number beyond a double's range,
 * such as {@code 1e400}, as infinity, which no backend's request can carry.
 */
final class FiniteNumbers {
    private FiniteNumbers() {}

    /**
     * {@code node} (found at {@code at}), refused at the pointer of the first number in it that is
     * not finite.
     */
    static <T extends JsonNode> T check(T node, Pointer at) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                check(member.getValue(), at.field(member.getKey()));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), at.index(i));
            }
        } else if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
            throw at.invalid("must be a finite number: it is beyond a double's range (about 1.8e308)");
        }
        return node;
    }
}
