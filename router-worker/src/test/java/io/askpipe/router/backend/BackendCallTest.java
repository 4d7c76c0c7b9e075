package io.askpipe.router.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendCallTest {
    private static BackendCall call(Integer maxTokens, Integer maxCompletionTokens) {
        return new BackendCall(
                "ask-1",
                ChatRequest.builder(List.of(ChatMessage.user("hi")))
                        .maxTokens(maxTokens)
                        .maxCompletionTokens(maxCompletionTokens)
                        .build(),
                null);
    }

    @Test
    void theTokenLimitIsTheSmallerOfTheTwoTheAskSets() {
        assertThat(call(100, 40).maxTokens()).contains(40);
        assertThat(call(30, 40).maxTokens()).contains(30);
    }

    @Test
    void theTokenLimitIsEitherOneAlone() {
        assertThat(call(100, null).maxTokens()).contains(100);
        assertThat(call(null, 40).maxTokens()).contains(40);
    }

    @Test
    void anAskWithoutALimitHasNone() {
        assertThat(call(null, null).maxTokens()).isEmpty();
    }
}
