package io.askpipe.ingest.batch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.ObjectMappers;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchListPageResponse;
import io.askpipe.ingest.batch.store.BatchError;
import io.askpipe.ingest.batch.store.BatchStatus;
import io.askpipe.schemas.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The batch object and the list of them parse with OpenAI's own SDK, every member where it expects it. */
class BatchObjectTest {
    private static final Instant CREATED = Instant.parse("2026-11-26T10:00:00.123456Z");

    static io.askpipe.ingest.batch.store.Batch batch(
            String id, BatchStatus status, List<BatchError> errors, Map<String, String> metadata) {
        return new io.askpipe.ingest.batch.store.Batch(
                id,
                "u-alice",
                "file-0195f1a87b6e7c3d9a2b4f5e6d7c8b9a",
                "/v1/chat/completions",
                "24h",
                metadata,
                Optional.empty(),
                Duration.ofDays(30),
                status,
                new io.askpipe.ingest.batch.store.Batch.Counts(3, 2, 1),
                new io.askpipe.ingest.batch.store.Batch.Usage(30, 12, 42, 5, 3),
                errors,
                Optional.of("file-out"),
                Optional.empty(),
                new io.askpipe.ingest.batch.store.Batch.Timeline(
                        CREATED,
                        Optional.of(CREATED.plusSeconds(1)),
                        CREATED.plus(Duration.ofHours(24)),
                        Optional.of(CREATED.plusSeconds(60)),
                        Optional.of(CREATED.plusSeconds(61)),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty()),
                io.askpipe.ingest.batch.store.Batch.Checkpoint.START,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    private static Batch parsed(Object object) throws Exception {
        return ObjectMappers.jsonMapper()
                .readValue(Json.mapper().writeValueAsString(object), Batch.class)
                .validate();
    }

    @Test
    void aCompletedBatchParsesWithTheSdkMemberForMember() throws Exception {
        Batch sdk = parsed(BatchObject.of(batch(
                "batch_0195f1a87b6e7c3d9a2b4f5e6d7c8b9a", BatchStatus.COMPLETED, List.of(), Map.of("team", "x"))));

        assertThat(sdk.id()).isEqualTo("batch_0195f1a87b6e7c3d9a2b4f5e6d7c8b9a");
        assertThat(sdk._object_().toString()).contains("batch");
        assertThat(sdk.endpoint()).isEqualTo("/v1/chat/completions");
        assertThat(sdk.status()).isEqualTo(Batch.Status.COMPLETED);
        assertThat(sdk.completionWindow()).isEqualTo("24h");
        assertThat(sdk.inputFileId()).isEqualTo("file-0195f1a87b6e7c3d9a2b4f5e6d7c8b9a");
        assertThat(sdk.outputFileId()).contains("file-out");
        assertThat(sdk.errorFileId()).isEmpty();
        assertThat(sdk.errors()).isEmpty();
        assertThat(sdk.createdAt()).isEqualTo(CREATED.getEpochSecond());
        assertThat(sdk.inProgressAt()).contains(CREATED.getEpochSecond() + 1);
        assertThat(sdk.expiresAt()).contains(CREATED.getEpochSecond() + 24 * 3600);
        assertThat(sdk.finalizingAt()).contains(CREATED.getEpochSecond() + 60);
        assertThat(sdk.completedAt()).contains(CREATED.getEpochSecond() + 61);
        assertThat(sdk.failedAt()).isEmpty();
        assertThat(sdk.cancelledAt()).isEmpty();
        var counts = sdk.requestCounts().orElseThrow();
        assertThat(List.of(counts.total(), counts.completed(), counts.failed())).containsExactly(3L, 2L, 1L);
        var usage = sdk.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(30);
        assertThat(usage.outputTokens()).isEqualTo(12);
        assertThat(usage.totalTokens()).isEqualTo(42);
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(5);
        assertThat(usage.outputTokensDetails().reasoningTokens()).isEqualTo(3);
        assertThat(sdk.metadata()).isPresent();
        assertThat(Json.mapper()
                        .valueToTree(
                                BatchObject.of(batch("batch_3", BatchStatus.COMPLETED, List.of(), Map.of("team", "x"))))
                        .at("/metadata/team")
                        .asText())
                .isEqualTo("x");
    }

    @Test
    void aFailedBatchCarriesItsErrorsAsOpenAiList() throws Exception {
        var errors = List.of(
                new BatchError("invalid_json_line", Optional.of(2L), "This line is not JSON.", Optional.empty()),
                new BatchError("url_mismatch", Optional.of(5L), "Wrong url.", Optional.of("/url")));
        Batch sdk = parsed(BatchObject.of(batch("batch_1", BatchStatus.FAILED, errors, Map.of())));

        assertThat(sdk.status()).isEqualTo(Batch.Status.FAILED);
        assertThat(sdk.metadata()).isEmpty();
        var data = sdk.errors().orElseThrow().data().orElseThrow();
        assertThat(data).hasSize(2);
        assertThat(data.get(0).code()).contains("invalid_json_line");
        assertThat(data.get(0).line()).contains(2L);
        assertThat(data.get(0).param()).isEmpty();
        assertThat(data.get(1).param()).contains("/url");
        assertThat(data.get(1).message()).contains("Wrong url.");
        assertThat(Json.mapper()
                        .writeValueAsString(BatchObject.of(batch("batch_1", BatchStatus.FAILED, errors, Map.of()))))
                .contains("\"object\":\"list\"");
    }

    @Test
    void aPageParsesAsTheSdksListResponse() throws Exception {
        var page = BatchObject.Page.of(
                List.of(
                        batch("batch_2", BatchStatus.IN_PROGRESS, List.of(), Map.of()),
                        batch("batch_1", BatchStatus.VALIDATING, List.of(), Map.of())),
                true);
        BatchListPageResponse sdk = ObjectMappers.jsonMapper()
                .readValue(Json.mapper().writeValueAsString(page), BatchListPageResponse.class)
                .validate();

        assertThat(sdk.data()).extracting(Batch::id).containsExactly("batch_2", "batch_1");
        assertThat(sdk.hasMore()).isTrue();
        assertThat(sdk.firstId()).contains("batch_2");
        assertThat(sdk.lastId()).contains("batch_1");
        assertThat(Json.mapper().writeValueAsString(BatchObject.Page.of(List.of(), false)))
                .contains("\"first_id\":null", "\"has_more\":false");
    }
}
