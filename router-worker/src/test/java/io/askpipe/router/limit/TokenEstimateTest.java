package io.askpipe.router.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenEstimateTest {
    @Test
    void estimatesAPromptAtATokenPerFourCharactersOfItsMessages() {
        String prompt = "x".repeat(4_000);

        TokenEstimate estimate = TokenEstimate.of(BackendCall.ofPrompt("r", prompt, "m"));

        // the JSON of the message adds its role and quotes: a few tokens more than the text
        assertThat(estimate.prompt()).isBetween(1_000L, 1_020L);
        assertThat(estimate.completion()).isZero();
        assertThat(estimate.total()).isEqualTo(estimate.prompt());
    }

    @Test
    void countsTheAnswersAllowanceAsProvidersDo() {
        BackendCall capped = new BackendCall(
                "r",
                ChatRequest.builder(List.of(ChatMessage.user("hello")))
                        .maxTokens(500)
                        .build(),
                "m");

        TokenEstimate estimate = TokenEstimate.of(capped);

        assertThat(estimate.completion()).isEqualTo(500);
        assertThat(estimate.total()).isEqualTo(estimate.prompt() + 500);
    }

    @Test
    void settlesAnAnswerWithItsReportedUsage() {
        TokenEstimate estimate = new TokenEstimate(100, 500);

        assertThat(estimate.settle(new BackendOutcome.Completed("m", "a", Usage.of(120, 30))))
                .as("used 150 of the 600 taken: 450 go back")
                .isEqualTo(-450);
        assertThat(estimate.settle(new BackendOutcome.Completed("m", "a", Usage.of(400, 800))))
                .as("used 1200 of the 600 taken: 600 more")
                .isEqualTo(600);
    }

    @Test
    void settlesAnAnswerWithoutUsageAsEstimated() {
        TokenEstimate estimate = new TokenEstimate(100, 500);

        assertThat(estimate.settle(new BackendOutcome.Completed("m", "a", Usage.NONE)))
                .isZero();
    }

    @Test
    void countsAFailedCallForItsPromptAndGivesTheAllowanceBack() {
        TokenEstimate estimate = new TokenEstimate(100, 500);

        assertThat(estimate.settle(BackendOutcome.Failed.of(ErrorType.UPSTREAM_ERROR, "boom")))
                .isEqualTo(-500);
    }
}
