package io.askpipe.devstack;

import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageParam;
import com.openai.models.completions.CompletionUsage;
import io.askpipe.devstack.LoopbackServer.Reply;
import io.askpipe.devstack.LoopbackServer.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake OpenAI-compatible server: it reads each chat-completions request with {@code
 * openai-java}'s {@link ChatCompletionCreateParams.Body} and answers a {@link ChatCompletion} built
 * from the SDK's model classes. An ask allowed at most {@value #CUT_AT} tokens gets the cut text
 * {@value #CUT_TEXT} ({@code length}); one with tools a call of its first tool with {@value
 * #ARGUMENTS}; any other an echo of its last user message ({@value #ECHO} and the text). A call of
 * the model {@value #HELD_MODEL} is held for the server's hold before it is answered: a slow
 * provider.
 */
final class FakeOpenAiServer implements AutoCloseable {
    static final String HELD_MODEL = "gpt-4.1-nano";
    static final String ECHO = "[openai] ";
    static final int CUT_AT = 5;
    static final String CUT_TEXT = "Lisbon is a";
    static final String CALL_ID = "call_openai_2";
    static final String ARGUMENTS = "{\"city\":\"Porto\"}";
    static final String FINGERPRINT = "fp_44709d6fcb";

    /** A request as the server read it, and when it came. */
    record Call(Instant at, ChatCompletionCreateParams.Body body) {
        /** The text of its last user message. */
        String lastUserText() {
            return body.messages().reversed().stream()
                    .filter(ChatCompletionMessageParam::isUser)
                    .map(message -> message.asUser().content())
                    .map(content -> content.isText()
                            ? content.asText()
                            : content.asArrayOfContentParts().stream()
                                    .filter(ChatCompletionContentPart::isText)
                                    .map(part -> part.asText().text())
                                    .reduce("", String::concat))
                    .findFirst()
                    .orElse("");
        }
    }

    private final List<Call> received = new CopyOnWriteArrayList<>();
    private final Duration hold;
    private final LoopbackServer server = new LoopbackServer(this::answer);

    /** A server that answers every call at once. */
    FakeOpenAiServer() {
        this(Duration.ZERO);
    }

    /** A server that holds each call of {@value #HELD_MODEL} for {@code hold} before it answers. */
    FakeOpenAiServer(Duration hold) {
        this.hold = hold;
    }

    String baseUrl() {
        return server.baseUrl();
    }

    /** The last request, as the SDK read it. */
    ChatCompletionCreateParams.Body last() {
        return received.getLast().body();
    }

    /** Every request so far, as the SDK read it, in the order they came. */
    List<Call> calls() {
        return List.copyOf(received);
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
        Instant at = Instant.now();
        ChatCompletionCreateParams.Body body = ObjectMappers.jsonMapper()
                .readValue(request.body(), ChatCompletionCreateParams.Body.class)
                .validate();
        Call call = new Call(at, body);
        received.add(call);
        if (body.model().asString().equals(HELD_MODEL)) {
            Thread.sleep(hold);
        }
        long limit = body.maxCompletionTokens().or(body::maxTokens).orElse(Long.MAX_VALUE);
        boolean cut = limit <= CUT_AT;
        boolean tools = body.tools().isPresent() && !body.tools().get().isEmpty();
        ChatCompletionMessage.Builder message = ChatCompletionMessage.builder().refusal(Optional.empty());
        if (cut) {
            message.content(CUT_TEXT);
        } else if (!tools) {
            message.content(ECHO + call.lastUserText());
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
                                        : tools
                                                ? ChatCompletion.Choice.FinishReason.TOOL_CALLS
                                                : ChatCompletion.Choice.FinishReason.STOP)
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
