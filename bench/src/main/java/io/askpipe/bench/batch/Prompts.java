package io.askpipe.bench.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.schemas.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The chat-completions body of every ask the benchmark makes, a batch line's and an interactive
 * ask's alike, so that a line and an ask cost the same work: a user message of a fixed number of
 * words to the {@code dryrun} backend, its echo cut to {@link #MAX_TOKENS} words.
 */
final class Prompts {
    /** The answer's words: the dryrun backend echoes the prompt, and this keeps results small. */
    static final int MAX_TOKENS = 16;

    private final int words;

    /** Bodies whose message has {@code words} words. */
    Prompts(int words) {
        this.words = words;
    }

    /** The body of ask number {@code n}. */
    ObjectNode body(String what, long n) {
        StringBuilder content = new StringBuilder(what).append(' ').append(n).append(':');
        for (int i = 1; i < words; i++) {
            content.append(" word").append(i);
        }
        ObjectNode body = Json.mapper().createObjectNode().put("backend", "dryrun");
        body.putArray("messages").addObject().put("role", "user").put("content", content.toString());
        body.put("max_tokens", MAX_TOKENS);
        return body;
    }

    /**
     * Writes a batch input file of {@code lines} request lines to {@code file} (custom ids {@code
     * line-0}, {@code line-1}, ...); returns its size in bytes.
     */
    long writeBatchFile(Path file, int lines) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int n = 0; n < lines; n++) {
                ObjectNode line = Json.mapper().createObjectNode().put("custom_id", "line-" + n);
                line.put("method", "POST").put("url", "/v1/chat/completions");
                line.set("body", body("batch line", n));
                out.write(line.toString());
                out.write('\n');
            }
        }
        return Files.size(file);
    }
}
