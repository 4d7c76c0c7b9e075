package io.askpipe.ingest.batch.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.config.Env;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchError;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InputValidatorTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final String ENDPOINT = "/v1/chat/completions";
    private static final IngestLimits LIMITS =
            new IngestLimits(4096, 1000, BackendCatalog.fromEnv(Env.of(Map.of("ASKPIPE_MODELS", "gpt-*"))));
    private static final CallbackPolicy CALLBACKS = new CallbackPolicy(true, List.of(), host -> {
        throw new AssertionError("a line has no callback to resolve");
    });
    private static final InputLineParser PARSER = new InputLineParser(ENDPOINT, LIMITS, CALLBACKS, NOW);

    private static String line(String customId, String content) {
        return "{\"custom_id\": \"" + customId + "\", \"method\": \"POST\", \"url\": \"" + ENDPOINT
                + "\", \"body\": {\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \""
                + content + "\"}]}}";
    }

    private static InputStream file(String... lines) {
        return new ByteArrayInputStream(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }

    private static InputValidator.Verdict validate(String... lines) throws IOException {
        return new InputValidator(100).validate(file(lines), PARSER);
    }

    @Test
    void countsTheRequestsOfAValidFileSkippingBlankLinesWhateverItsLineBreaks() throws IOException {
        String text = line("a", "one") + "\r\n\n   \n" + line("b", "two") + "\n" + line("c", "three") + "\n";
        var verdict =
                new InputValidator(5).validate(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), PARSER);

        assertThat(verdict.valid()).isTrue();
        assertThat(verdict.requests()).isEqualTo(3);
        assertThat(verdict.bytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void namesEveryBadLineByItsNumberFromOneWithItsCodeAndPointer() throws IOException {
        var verdict = validate(
                line("ok", "fine"), // 1
                "not json", // 2
                "[1, 2]", // 3
                "{\"method\": \"POST\", \"url\": \"" + ENDPOINT + "\", \"body\": {}}", // 4
                "{\"custom_id\": 7, \"method\": \"POST\", \"url\": \"" + ENDPOINT + "\", \"body\": {}}", // 5
                line("ok", "again"), // 6
                line("m", "x").replace("\"POST\"", "\"GET\""), // 7
                line("u", "x").replace(ENDPOINT, "/v1/embeddings"), // 8
                line("b", "x").replace("\"messages\"", "\"mesages\""), // 9
                "{\"custom_id\": \"x\", \"method\": \"POST\", \"url\": \"" + ENDPOINT + "\"}", // 10
                line("e", "x").replace("\"method\"", "\"extra\": 1, \"method\""), // 11
                line("c", "x").replace("\"model\"", "\"callback_url\": \"https://example.com/h\", \"model\""), // 12
                line("p", "x").replace("\"model\"", "\"priority\": \"interactive\", \"model\""), // 13
                line("d", "x").replace("\"model\"", "\"model\": \"gpt-4o\", \"model2\""), // 14
                "{\"custom_id\": \"dup\", \"custom_id\": \"dup\", \"method\": \"POST\"}"); // 15

        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.requests()).as("nothing to queue").isZero();
        assertThat(verdict.errors())
                .extracting(
                        e -> e.line().orElseThrow(),
                        BatchError::code,
                        e -> e.param().orElse(null))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, "invalid_json_line", null),
                        org.assertj.core.groups.Tuple.tuple(3L, "invalid_json_line", null),
                        org.assertj.core.groups.Tuple.tuple(4L, "missing_required_parameter", "/custom_id"),
                        org.assertj.core.groups.Tuple.tuple(5L, "invalid_custom_id", "/custom_id"),
                        org.assertj.core.groups.Tuple.tuple(6L, "duplicate_custom_id", "/custom_id"),
                        org.assertj.core.groups.Tuple.tuple(7L, "invalid_method", "/method"),
                        org.assertj.core.groups.Tuple.tuple(8L, "url_mismatch", "/url"),
                        org.assertj.core.groups.Tuple.tuple(9L, "invalid_body", "/body/mesages"),
                        org.assertj.core.groups.Tuple.tuple(10L, "missing_required_parameter", "/body"),
                        org.assertj.core.groups.Tuple.tuple(11L, "unknown_parameter", "/extra"),
                        org.assertj.core.groups.Tuple.tuple(12L, "invalid_body", "/body/callback_url"),
                        org.assertj.core.groups.Tuple.tuple(13L, "invalid_body", "/body/priority"),
                        org.assertj.core.groups.Tuple.tuple(14L, "invalid_body", "/body/model2"),
                        org.assertj.core.groups.Tuple.tuple(15L, "invalid_json_line", null));
        assertThat(verdict.errors())
                .allSatisfy(error -> assertThat(error.message()).isNotBlank());
        assertThat(verdict.badLines()).isEqualTo(14);
    }

    @Test
    void refusesAModelTheDeploymentDoesNotPermitAndADeadlineAlreadyPast() throws IOException {
        var verdict = validate(
                line("a", "x").replace("gpt-4o-mini", "claude-haiku"),
                line("b", "x").replace("\"model\"", "\"deadline\": \"2026-11-26T09:00:00Z\", \"model\""));

        assertThat(verdict.errors())
                .extracting(BatchError::code, e -> e.param().orElseThrow())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("invalid_body", "/body/model"),
                        org.assertj.core.groups.Tuple.tuple("invalid_body", "/body/deadline"));
    }

    @Test
    void aLineLongerThanAnAskIsTooLargeAndTheLinesAfterItStillCount() throws IOException {
        var verdict = validate(line("big", "x".repeat(5000)), line("after", "y"), "{");

        assertThat(verdict.errors())
                .extracting(e -> e.line().orElseThrow(), BatchError::code)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "line_too_large"),
                        org.assertj.core.groups.Tuple.tuple(3L, "invalid_json_line"));
    }

    @Test
    void anEmptyFileAndOneOfOnlyBlankLinesHoldNoRequest() throws IOException {
        for (var verdict : List.of(validate(), validate("", "  ", ""))) {
            assertThat(verdict.errors()).singleElement().satisfies(error -> {
                assertThat(error.code()).isEqualTo("empty_file");
                assertThat(error.line()).isEmpty();
            });
        }
    }

    @Test
    void moreRequestsThanTheLimitFailOnTheFirstLineBeyondIt() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            lines.add(line("n" + i, "x"));
        }
        var verdict = new InputValidator(5).validate(file(lines.toArray(String[]::new)), PARSER);

        assertThat(verdict.errors()).singleElement().satisfies(error -> {
            assertThat(error.code()).isEqualTo("too_many_tasks");
            assertThat(error.line()).contains(6L);
            assertThat(error.message()).contains("5");
        });
    }

    @Test
    void namesAtMostAThousandErrorsButCountsEveryBadLine() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            lines.add("oops " + i);
        }
        var verdict = new InputValidator(5000).validate(file(lines.toArray(String[]::new)), PARSER);

        assertThat(verdict.errors()).hasSize(InputValidator.MAX_ERRORS);
        assertThat(verdict.errors().getLast().line()).contains(1000L);
        assertThat(verdict.badLines()).isEqualTo(1200);
    }

    @Test
    void chunksReadOnFromACheckpointWithTheSameLinesAndOffsets() throws IOException {
        String text = line("a", "1") + "\n\n" + line("b", "2") + "\n" + line("c", "3") + "\n" + line("d", "4") + "\n\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);

        InputChunks.Chunk first;
        try (var chunks = InputChunks.open(new ByteArrayInputStream(bytes), Batch.Checkpoint.START, PARSER)) {
            first = chunks.next(2);
        }
        assertThat(first.lines()).extracting(ParsedLine::number).containsExactly(1L, 3L);
        assertThat(first.checkpointLines()).isEqualTo(3);

        var checkpoint = new Batch.Checkpoint(bytes.length, first.checkpointLines(), first.checkpointBytes());
        try (var chunks = InputChunks.open(new ByteArrayInputStream(bytes), checkpoint, PARSER)) {
            var second = chunks.next(2);
            assertThat(second.lines())
                    .extracting(line -> ((ParsedLine.Request) line).customId())
                    .containsExactly("c", "d");
            var last = chunks.next(2);
            assertThat(last.lines()).isEmpty();
            assertThat(last.checkpointBytes()).isEqualTo(bytes.length);
            assertThat(last.checkpointLines()).isEqualTo(6);
        }
        assertThat(Optional.of(first.lines().getFirst()))
                .get()
                .isInstanceOfSatisfying(
                        ParsedLine.Request.class,
                        request -> assertThat(request.submission().model()).isEqualTo("gpt-4o-mini"));
    }
}
