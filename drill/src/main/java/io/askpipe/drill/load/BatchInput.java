package io.askpipe.drill.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.schemas.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input file of a drill's batch: {@code lines} lines in OpenAI's batch format, line {@code n}
 * with {@code custom_id} {@code line-<n>} and a chat body of one user message, a prompt of its own
 * that no ask and no other line has. The body names no model and no backend, so that a line is
 * routed to the drill's LLM exactly as the drill's asks are.
 */
public final class BatchInput {
    /** The endpoint every line calls, and the batch's. */
    public static final String ENDPOINT = "/v1/chat/completions";

    private final String runId;
    private final int lines;

    /**
     * @param runId names the run in every prompt, as in the asks' ({@link Load#prompt})
     * @param lines the lines of the file
     */
    public BatchInput(String runId, int lines) {
        this.runId = runId;
        this.lines = lines;
    }

    public int lines() {
        return lines;
    }

    /** The {@code custom_id} of line {@code n}. */
    public static String customId(int n) {
        return "line-" + n;
    }

    /** The prompt of line {@code n}; the drill's LLM counts calls by it. */
    public String prompt(int n) {
        return "drill " + runId + " batch line " + n;
    }

    /** Every line's prompt by its {@code custom_id}, in line order. */
    public Map<String, String> promptsByCustomId() {
        Map<String, String> prompts = new LinkedHashMap<>();
        for (int n = 0; n < lines; n++) {
            prompts.put(customId(n), prompt(n));
        }
        return prompts;
    }

    /** The JSON of line {@code n}, without its line break. */
    String line(int n) {
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("custom_id", customId(n));
        line.put("method", "POST");
        line.put("url", ENDPOINT);
        ObjectNode message = line.putObject("body").putArray("messages").addObject();
        message.put("role", "user");
        message.put("content", prompt(n));
        return line.toString();
    }

    /** Writes the file to {@code file}, line by line. */
    public Path write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int n = 0; n < lines; n++) {
                out.write(line(n));
                out.write('\n');
            }
        }
        return file;
    }
}
