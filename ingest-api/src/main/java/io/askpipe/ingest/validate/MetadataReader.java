package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an ask's {@code metadata}: the client's labels, at most {@value #MAX_PAIRS} string pairs with
 * keys of at most {@value #MAX_KEY_CHARS} and values of at most {@value #MAX_VALUE_CHARS} characters
 * (OpenAI's limits for its own {@code metadata}). They are stored with the ask, returned with it
 * and filter {@code GET /v1/asks}; no backend sees them.
 */
public final class MetadataReader {
    public static final int MAX_PAIRS = 16;
    public static final int MAX_KEY_CHARS = 64;
    public static final int MAX_VALUE_CHARS = 512;

    private MetadataReader() {}

    /** The {@code metadata} of {@code body}, in the order sent; empty if there is none. */
    public static Map<String, String> read(JsonNode body) {
        Pointer at = Pointer.ROOT.field("metadata");
        var metadata = Values.member(body, "metadata");
        if (metadata.isEmpty()) {
            return Map.of();
        }
        JsonNode pairs = Values.object(metadata.get(), at);
        if (pairs.size() > MAX_PAIRS) {
            throw at.invalid("must hold at most " + MAX_PAIRS + " pairs");
        }
        Map<String, String> read = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> pair : pairs.properties()) {
            String key = pair.getKey();
            Pointer pairAt = at.field(key);
            if (key.isEmpty() || key.length() > MAX_KEY_CHARS) {
                throw pairAt.invalid("must be keyed by 1-" + MAX_KEY_CHARS + " characters");
            }
            Values.withoutControlCharacters(key, pairAt);
            String value = Values.withoutControlCharacters(Values.string(pair.getValue(), pairAt), pairAt);
            if (value.length() > MAX_VALUE_CHARS) {
                throw pairAt.invalid("must be at most " + MAX_VALUE_CHARS + " characters");
            }
            read.put(key, value);
        }
        return read;
    }
}
