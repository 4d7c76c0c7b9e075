package io.askpipe.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.devstack.LoopbackServer.Reply;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake Ollama server speaking {@code /api/chat} (Ollama publishes no Java SDK: plain Jackson). An
 * ask allowed at most {@value #CUT_AT} tokens ({@code options.num_predict}) gets the cut text
 * {@value #CUT_TEXT} ({@code done_reason: length}); any other a call of its first tool for Porto,
 * without an id as Ollama sends them ({@code done_reason: stop}).
 */
final class FakeOllamaServer implements AutoCloseable {
    static final int CUT_AT = 5;
    static final String CUT_TEXT = "Lisbon is a";

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final LoopbackServer server = new LoopbackServer(request -> {
        if (!request.path().equals("/api/chat")) {
            return Reply.json(404, "{\"error\": \"404 page not found\"}");
        }
        return answer(request.body());
    });

    String baseUrl() {
        return server.baseUrl();
    }

    /** The last request's body. */
    JsonNode last() {
        return received.getLast();
    }

    private Reply answer(String body) throws Exception {
        JsonNode request = mapper.readTree(body);
        received.add(request);
        boolean cut = request.path("options").path("num_predict").asInt(Integer.MAX_VALUE) <= CUT_AT;
        ObjectNode answer = mapper.createObjectNode()
                .put("model", request.get("model").asText())
                .put("created_at", "2026-11-26T12:00:00.000000Z");
        ObjectNode message = answer.putObject("message").put("role", "assistant");
        if (cut) {
            message.put("content", CUT_TEXT);
        } else {
            message.put("content", "");
            ObjectNode function = message.putArray("tool_calls").addObject().putObject("function");
            function.put(
                    "name",
                    request.get("tools").get(0).get("function").get("name").asText());
            function.putObject("arguments").put("city", "Porto");
        }
        answer.put("done_reason", cut ? "length" : "stop")
                .put("done", true)
                .put("total_duration", 4_935_886_791L)
                .put("prompt_eval_count", 61)
                .put("eval_count", 9);
        return Reply.json(200, mapper.writeValueAsString(answer));
    }

    @Override
    public void close() {
        server.close();
    }
}
