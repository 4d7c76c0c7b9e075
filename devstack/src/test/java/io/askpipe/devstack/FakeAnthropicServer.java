package io.askpipe.devstack;

import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.models.ErrorObject;
import com.anthropic.models.ErrorResponse;
import com.anthropic.models.messages.DirectCaller;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.OutputTokensDetails;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.Usage;
import io.askpipe.devstack.LoopbackServer.Reply;
import io.askpipe.devstack.LoopbackServer.Request;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fake Anthropic Messages API: it reads each request with {@code anthropic-java}'s {@link
 * MessageCreateParams} body and answers a {@link Message} built from the SDK's model classes. The
 * first request that offers tools is a 529 (overloaded) with {@code retry-after: 1}; an ask allowed
 * at most {@value #CUT_AT} tokens gets the cut text {@value #CUT_TEXT} ({@code max_tokens}); any
 * other the text {@value #PREAMBLE} and a call of its first tool for Porto ({@code tool_use}).
 */
final class FakeAnthropicServer implements AutoCloseable {
    static final int CUT_AT = 5;
    static final String CUT_TEXT = "Lisbon is a";
    static final String PREAMBLE = "Let me check Porto.";
    static final String TOOL_USE_ID = "toolu_01A09q90qw90lq917835lq9";

    private final List<MessageCreateParams> received = new CopyOnWriteArrayList<>();
    private final AtomicBoolean overloaded = new AtomicBoolean();
    private final LoopbackServer server = new LoopbackServer(this::answer);

    String baseUrl() {
        return server.baseUrl();
    }

    /** Every request so far, as the SDK read it (the one answered 529 included). */
    List<MessageCreateParams> received() {
        return List.copyOf(received);
    }

    /** The last request as it came over the wire. */
    Request lastRequest() {
        return server.requests().getLast();
    }

    private Reply answer(Request request) throws Exception {
        if (!request.path().equals("/v1/messages")) {
            return Reply.json(404, "{\"type\": \"error\", \"error\": {\"type\": \"not_found_error\"}}");
        }
        MessageCreateParams.Body body = ObjectMappers.jsonMapper()
                .readValue(request.body(), MessageCreateParams.Body.class)
                .validate();
        MessageCreateParams params = MessageCreateParams.builder().body(body).build();
        received.add(params);
        if (params.tools().isPresent() && overloaded.compareAndSet(false, true)) {
            return json(
                            529,
                            ErrorResponse.builder()
                                    .error(ErrorObject.ofOverloadedError("Overloaded"))
                                    .requestId("req_011fake")
                                    .build())
                    .withHeader("retry-after", "1");
        }
        boolean cut = params.maxTokens() <= CUT_AT;
        Message.Builder message = Message.builder()
                .id("msg_01XFDUDYJgAACzvnptvVoYEL")
                .container(Optional.empty())
                .diagnostics(Optional.empty())
                .model(params.model().asString())
                .stopDetails(Optional.empty())
                .stopReason(cut ? StopReason.MAX_TOKENS : StopReason.TOOL_USE)
                .stopSequence(Optional.empty())
                .usage(Usage.builder()
                        .cacheCreation(Optional.empty())
                        .cacheCreationInputTokens(0L)
                        .cacheReadInputTokens(20L)
                        .inferenceGeo(Optional.empty())
                        .inputTokens(100)
                        .outputTokens(15)
                        .outputTokensDetails(
                                OutputTokensDetails.builder().thinkingTokens(4).build())
                        .serverToolUse(Optional.empty())
                        .serviceTier(Optional.empty())
                        .speed(Optional.empty())
                        .build());
        if (cut) {
            message.addContent(text(CUT_TEXT));
        } else {
            message.addContent(text(PREAMBLE))
                    .addContent(ToolUseBlock.builder()
                            .id(TOOL_USE_ID)
                            .name(params.tools()
                                    .orElseThrow()
                                    .getFirst()
                                    .asTool()
                                    .name())
                            .input(JsonValue.from(Map.of("city", "Porto")))
                            .caller(DirectCaller.builder().build())
                            .build());
        }
        return json(200, message.build().validate());
    }

    private static TextBlock text(String text) {
        return TextBlock.builder().text(text).citations(Optional.empty()).build();
    }

    private static Reply json(int status, Object value) throws Exception {
        return Reply.json(status, ObjectMappers.jsonMapper().writeValueAsString(value));
    }

    @Override
    public void close() {
        server.close();
    }
}
