package io.askpipe.devstack;

import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.completions.CompletionUsage;
import io.askpipe.devstack.LoopbackServer.Reply;
import io.askpipe.devstack.LoopbackServer.Request;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake OpenAI-compatible server: it reads each chat-completions request with {@code
 * openai-java}'s {@link ChatCompletionCreateParams.Body} and answers a {@link ChatCompletion} built
 * from the SDK's model classes. An ask allowed at most {@value #CUT_AT} tokens gets the cut text
 * {@value #CUT_TEXT} ({@code length}); any other a call of its first tool with {@value #ARGUMENTS}.
 */
final class FakeOpenAiServer implements AutoCloseable {
    static final int CUT_AT = 5;
    static final String CUT_TEXT = "Lisbon is a";
    static final String CALL_ID = "call_openai_2";
    static final String ARGUMENTS = "{\"city\":\"Porto\"}";
    static final String FINGERPRINT = "fp_44709d6fcb";

    private final List<ChatCompletionCreateParams.Body> received = new CopyOnWriteArrayList<>();
    private final LoopbackServer server = new LoopbackServer(this::answer);

    String baseUrl() {
        return server.baseUrl();
    }

    /** The last request, as the SDK read it. */
    ChatCompletionCreateParams.Body last() {
        return received.getLast();
    }

    /** The last request as it came over the wire. */
    Request lastRequest() {
        return server.requests().getLast();
    }

    @SuppressWarnings("deprecation") // max_tokens is deprecated by OpenAI, still sent by clients
    private Reply answer(Request request) throws Exception {
        if (!request.path().equals("/v1/chat/completions")) {
            return Reply.json(404, "{\"error\": {\"message\": \"no route " + request.path() + "\"}}");
        }
        ChatCompletionCreateParams.Body body = ObjectMappers.jsonMapper()
                .readValue(request.body(), ChatCompletionCreateParams.Body.class)
                .validate();
        received.add(body);
        long limit = body.maxCompletionTokens().or(body::maxTokens).orElse(Long.MAX_VALUE);
        boolean cut = limit <= CUT_AT;
        ChatCompletionMessage.Builder message = ChatCompletionMessage.builder().refusal(Optional.empty());
        if (cut) {
            message.content(CUT_TEXT);
        } else {
            String tool = body.tools()
                    .orElseThrow()
                    .getFirst()
                    .asFunction()
                    .function()
                    .name();
            message.content(Optional.empty())
                    .addToolCall(ChatCompletionMessageFunctionToolCall.builder()
                            .id(CALL_ID)
                            .function(ChatCompletionMessageFunctionToolCall.Function.builder()
                                    .name(tool)
                                    .arguments(ARGUMENTS)
                                    .build())
                            .build());
        }
        ChatCompletion completion = ChatCompletion.builder()
                .id("chatcmpl-fake")
                .created(1_764_158_400L)
                .model(body.model().asString())
                .systemFingerprint(FINGERPRINT)
                .addChoice(ChatCompletion.Choice.builder()
                        .index(0)
                        .finishReason(
                                cut
                                        ? ChatCompletion.Choice.FinishReason.LENGTH
                                        : ChatCompletion.Choice.FinishReason.TOOL_CALLS)
                        .logprobs(Optional.empty())
                        .message(message.build())
                        .build())
                .usage(CompletionUsage.builder()
                        .promptTokens(120)
                        .completionTokens(30)
                        .totalTokens(150)
                        .promptTokensDetails(CompletionUsage.PromptTokensDetails.builder()
                                .cachedTokens(64)
                                .build())
                        .completionTokensDetails(CompletionUsage.CompletionTokensDetails.builder()
                                .reasoningTokens(12)
                                .build())
                        .build())
                .build();
        return Reply.json(200, ObjectMappers.jsonMapper().writeValueAsString(completion.validate()));
    }

    @Override
    public void close() {
        server.close();
    }
}
