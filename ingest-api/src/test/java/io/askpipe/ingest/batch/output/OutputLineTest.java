package io.askpipe.ingest.batch.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.batch.store.LineOutcome;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutputLineTest {
    private static final String REQUEST_ID = "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a";
    private static final Instant DONE = Instant.parse("2026-11-26T10:00:05Z");

    private static BatchLines.Line line(LineOutcome outcome, AskResult result) throws Exception {
        return new BatchLines.Line(
                7,
                "request-7",
                REQUEST_ID,
                Optional.of(outcome),
                Optional.ofNullable(result == null ? null : Json.mapper().writeValueAsString(result)));
    }

    private static JsonNode json(OutputLine line) throws Exception {
        return Json.mapper().readTree(line.json());
    }

    @Test
    void aSuccessGoesToTheOutputWithAChatCompletionTheSdkParses() throws Exception {
        AskResult result =
                AskResult.succeeded(REQUEST_ID, "dryrun", "gpt-4o-mini", "hello", Usage.of(3, 2), 12, 1, DONE);
        OutputLine line = OutputLine.of(line(LineOutcome.SUCCEEDED, result));

        assertThat(line.toOutput()).isTrue();
        assertThat(line.json()).doesNotContain("\n");
        JsonNode entry = json(line);
        assertThat(entry.get("id").asText()).isEqualTo("batch_req_0195f1a87b6e7c3d9a2b4f5e6d7c8b9a");
        assertThat(entry.get("custom_id").asText()).isEqualTo("request-7");
        assertThat(entry.get("error").isNull()).isTrue();
        assertThat(entry.at("/response/status_code").asInt()).isEqualTo(200);
        assertThat(entry.at("/response/request_id").asText()).isEqualTo(REQUEST_ID);
        ChatCompletion completion = ObjectMappers.jsonMapper()
                .readValue(entry.at("/response/body").toString(), ChatCompletion.class)
                .validate();
        assertThat(completion.id()).isEqualTo("chatcmpl-" + REQUEST_ID);
        assertThat(completion.model()).isEqualTo("gpt-4o-mini");
        assertThat(completion.choices().getFirst().message().content()).contains("hello");
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(5);
    }

    @Test
    void aFailedAskGoesToTheErrorsWithItsStatusAndOpenAisErrorObject() throws Exception {
        AskResult result = AskResult.failed(
                REQUEST_ID,
                "openai",
                "gpt-4o",
                new AskError(ErrorType.UPSTREAM_ERROR, "503 from the vendor"),
                40,
                3,
                DONE);
        OutputLine line = OutputLine.of(line(LineOutcome.FAILED, result));

        assertThat(line.toOutput()).isFalse();
        JsonNode entry = json(line);
        assertThat(entry.get("error").isNull()).isTrue();
        assertThat(entry.at("/response/status_code").asInt()).isEqualTo(502);
        assertThat(entry.at("/response/request_id").asText()).isEqualTo(REQUEST_ID);
        assertThat(entry.at("/response/body/error/code").asText()).isEqualTo("upstream_error");
        assertThat(entry.at("/response/body/error/type").asText()).isEqualTo("server_error");
        assertThat(entry.at("/response/body/error/message").asText()).isEqualTo("503 from the vendor");
    }

    @Test
    void expiredAndCancelledLinesHaveNoResponseAndTheBatchsErrorCode() throws Exception {
        for (var outcome : new LineOutcome[] {LineOutcome.EXPIRED, LineOutcome.CANCELLED}) {
            OutputLine line = OutputLine.of(line(outcome, null));

            assertThat(line.toOutput()).isFalse();
            JsonNode entry = json(line);
            assertThat(entry.get("response").isNull()).isTrue();
            assertThat(entry.at("/error/code").asText())
                    .isEqualTo(outcome == LineOutcome.EXPIRED ? "batch_expired" : "batch_cancelled");
            assertThat(entry.at("/error/message").asText()).isNotBlank();
        }
        // an ask the router expired or cancelled has a result: the line still reads as the batch's
        AskResult expired = AskResult.expired(REQUEST_ID, "dryrun", null, "deadline passed", 0, 0, DONE);
        assertThat(json(OutputLine.of(line(LineOutcome.EXPIRED, expired)))
                        .at("/error/code")
                        .asText())
                .isEqualTo("batch_expired");
    }
}
