package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.UnprocessableEntityException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.askpipe.embedded.SharedInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drop-in {@code POST /v1/chat/completions} of the dev stack, called by the official {@code
 * openai-java} client with its base URL on askpipe and the dev key as its API key.
 */
class ChatCompletionsIT {
    private static final String PREFIX = SharedInfrastructure.uniqueName("dropin") + ".";
    private static DevStack stack;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        stack = TestStacks.start(PREFIX, Map.of());
        client = OpenAIOkHttpClient.builder()
                .baseUrl(stack.clientUrl() + "/v1")
                .apiKey(stack.issueDevKey().secret())
                .timeout(Duration.ofSeconds(90))
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theOfficialClientGetsAChatCompletionFromTheDryrun() {
        Instant before = Instant.now().minusSeconds(1);

        ChatCompletion completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("dryrun-echo")
                        // askpipe's own fields ride along as extra body properties
                        .putAdditionalBodyProperty("backend", JsonValue.from("dryrun"))
                        .addSystemMessage("Answer briefly.")
                        .addUserMessage("What is askpipe?")
                        .build());

        assertThat(completion.id()).startsWith("chatcmpl-");
        assertThat(completion.created()).isGreaterThanOrEqualTo(before.getEpochSecond());
        assertThat(completion.model()).isNotBlank();
        assertThat(completion.choices()).hasSize(1);
        var choice = completion.choices().getFirst();
        assertThat(choice.index()).isZero();
        assertThat(choice.message().content())
                .hasValueSatisfying(text -> assertThat(text).contains("What is askpipe?"));
        assertThat(completion.usage()).isPresent();
    }

    @Test
    void aBodyThatDoesNotValidateIsTheClientsExceptionWithTheStatus() {
        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("dryrun-echo")
                                .putAdditionalBodyProperty("backend", JsonValue.from("dryrun"))
                                .addUserMessage("hi")
                                .n(2)
                                .build()))
                .isInstanceOfSatisfying(UnprocessableEntityException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(422);
                    assertThat(e.body().toString()).contains("/n");
                });
    }
}
