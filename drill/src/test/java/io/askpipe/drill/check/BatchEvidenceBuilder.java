package io.askpipe.drill.check;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.drill.load.BatchState;
import io.askpipe.drill.load.LlmServer;
import io.askpipe.schemas.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Hand-built evidence of a drill's batch for the checks' tests: at first a clean batch, lines
 * {@code 0..n-1} ({@code custom_id} {@code line-<n>}, request ids {@code b0, b1, ...}) each answered
 * by the LLM once, in the output file, queued and called under its own request id, the batch
 * {@code completed} with counts that agree; a test then changes what it needs.
 */
final class BatchEvidenceBuilder {
    /** The end of the batch's window: {@code expires_at}, in seconds. */
    static final long EXPIRES_AT_SECONDS = 100;

    final Map<String, String> prompts = new LinkedHashMap<>();
    String status = "completed";
    long total;
    long completed;
    long failed;
    final List<BatchFileLine> output = new ArrayList<>();
    final List<BatchFileLine> errors = new ArrayList<>();
    final Map<String, Set<String>> queued = new HashMap<>();
    Optional<Map<String, List<Long>>> callStarts = Optional.of(new HashMap<>());
    Optional<Map<String, Set<String>>> calledAs = Optional.of(new HashMap<>());

    static BatchEvidenceBuilder clean(int lines) {
        BatchEvidenceBuilder batch = new BatchEvidenceBuilder();
        for (int n = 0; n < lines; n++) {
            String customId = "line-" + n;
            String prompt = prompt(n);
            batch.prompts.put(customId, prompt);
            batch.output.add(succeeded(customId, "b" + n, LlmServer.answer(prompt)));
            batch.queued.put(prompt, Set.of("b" + n));
            batch.callStarts.orElseThrow().put(prompt, List.of(1_000L + n));
            batch.calledAs.orElseThrow().put(prompt, Set.of("b" + n));
        }
        batch.total = lines;
        batch.completed = lines;
        return batch;
    }

    static String prompt(int n) {
        return "drill t batch line " + n;
    }

    /** An output file's line: a {@code chat.completion} answering {@code answer}. */
    static BatchFileLine succeeded(String customId, String requestId, String answer) {
        ObjectNode line = entry(customId);
        ObjectNode response = line.putObject("response");
        response.put("status_code", 200);
        response.put("request_id", requestId);
        ObjectNode body = response.putObject("body");
        body.put("id", "chatcmpl-" + requestId);
        body.put("object", "chat.completion");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer);
        choice.put("finish_reason", "stop");
        line.putNull("error");
        return BatchFileLine.parse(line.toString());
    }

    /** An error file's line of a failed ask: its status and OpenAI's error object. */
    static BatchFileLine failed(String customId, String requestId, int status) {
        ObjectNode line = entry(customId);
        ObjectNode response = line.putObject("response");
        response.put("status_code", status);
        response.put("request_id", requestId);
        ObjectNode error = response.putObject("body").putObject("error");
        error.put("message", "the backend failed");
        error.put("type", "server_error");
        error.putNull("param");
        error.put("code", "backend_error");
        line.putNull("error");
        return BatchFileLine.parse(line.toString());
    }

    /** An error file's line without a response: {@code batch_expired} or {@code batch_cancelled}. */
    static BatchFileLine unanswered(String customId, String code) {
        ObjectNode line = entry(customId);
        line.putNull("response");
        line.putObject("error").put("code", code).put("message", "not executed");
        return BatchFileLine.parse(line.toString());
    }

    private static ObjectNode entry(String customId) {
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("id", "batch_req_" + customId);
        line.put("custom_id", customId);
        return line;
    }

    BatchEvidence build() {
        return new BatchEvidence(
                Map.copyOf(prompts),
                Optional.of(new BatchState(
                        "batch_t",
                        status,
                        total,
                        completed,
                        failed,
                        Optional.of("file-out"),
                        Optional.empty(),
                        EXPIRES_AT_SECONDS)),
                OptionalDouble.of(12.5),
                List.copyOf(output),
                List.copyOf(errors),
                Map.copyOf(queued),
                callStarts.map(Map::copyOf),
                calledAs.map(Map::copyOf));
    }
}
