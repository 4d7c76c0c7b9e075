package io.askpipe.drill.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.askpipe.schemas.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One line of a batch's output or error file as the checks read it, from OpenAI's {@code {"id",
 * "custom_id", "response": {"status_code", "request_id", "body"}, "error": {"code", "message"}}}.
 *
 * @param customId its {@code custom_id}; empty if the line has none (or is not JSON)
 * @param requestId {@code response.request_id}, if it has a response with one
 * @param statusCode {@code response.status_code}; 0 without a response
 * @param body {@code response.body}; a missing node without one
 * @param errorCode {@code error.code}, for a line that has no response
 */
public record BatchFileLine(
        String customId, Optional<String> requestId, int statusCode, JsonNode body, Optional<String> errorCode) {
    /** The line {@code json} of a file. */
    public static BatchFileLine parse(String json) {
        JsonNode line;
        try {
            line = Json.mapper().readTree(json);
        } catch (IOException e) {
            return new BatchFileLine("", Optional.empty(), 0, MissingNode.getInstance(), Optional.empty());
        }
        JsonNode response = line.path("response");
        return new BatchFileLine(
                line.path("custom_id").asText(""),
                text(response.path("request_id")),
                response.path("status_code").asInt(0),
                response.path("body"),
                text(line.path("error").path("code")));
    }

    /** Every line of {@code file}; none if there is no file (a batch has none when it would be empty). */
    public static List<BatchFileLine> read(Optional<Path> file) throws IOException {
        List<BatchFileLine> lines = new ArrayList<>();
        if (file.isPresent()) {
            try (BufferedReader in = Files.newBufferedReader(file.get(), StandardCharsets.UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.isBlank()) {
                        lines.add(parse(line));
                    }
                }
            }
        }
        return lines;
    }

    /**
     * The answer of a success: the assistant's text of a {@code chat.completion} body answered 200
     * under a request id; empty for any other line.
     */
    public Optional<String> answer() {
        JsonNode content = body.path("choices").path(0).path("message").path("content");
        return statusCode == 200
                        && requestId.isPresent()
                        && body.path("object").asText().equals("chat.completion")
                        && content.isTextual()
                ? Optional.of(content.textValue())
                : Optional.empty();
    }

    /** Whether it tells a failure as the error file must: an error status and OpenAI's error object as the body. */
    public boolean hasErrorStatusAndBody() {
        return statusCode >= 400
                && requestId.isPresent()
                && body.path("error").path("message").isTextual();
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
    }
}
