package io.askpipe.ingest.batch;

import static io.askpipe.ingest.batch.BatchTestBed.line;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.batches.Batch;
import com.openai.models.chat.completions.ChatCompletion;
import io.askpipe.auth.QuotaOverride;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import io.askpipe.ingest.quota.Limits;
import io.askpipe.ingest.quota.PostgresQuotas;
import io.askpipe.ingest.quota.QuotaSettings;
import io.askpipe.ingest.quota.Quotas;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.BatchEvent;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Batches end to end on the real broker and database: created over HTTP, their lines published to
 * {@code ask.requests.batch}, answered by the test as the router would, and finished with OpenAI's
 * batch object and output and error files; invalid files, cancels, the window, the event, owners
 * and pages.
 */
class BatchesIT {
    private static final BatchSettings SETTINGS =
            new BatchSettings(Duration.ofMillis(100), 2, Duration.ofSeconds(5), Duration.ofSeconds(1));
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private BatchTestBed bed;

    private void start(Function<io.askpipe.common.db.DatabaseSettings, Quotas> quotas) {
        bed = new BatchTestBed(SETTINGS, quotas);
    }

    private void start() {
        start(database -> Quotas.NONE);
    }

    @AfterEach
    void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    private static Batch sdk(JsonNode batch) throws Exception {
        return ObjectMappers.jsonMapper()
                .readValue(batch.toString(), Batch.class)
                .validate();
    }

    private static AskResult success(AskRequest ask, int prompt, int completion) {
        return AskResult.succeeded(
                ask.requestId(),
                "dryrun",
                "dry-1",
                "answer to " + ask.prompt(),
                Usage.of(prompt, completion),
                3,
                1,
                Instant.now());
    }

    private static AskResult failure(AskRequest ask) {
        return AskResult.failed(
                ask.requestId(),
                "dryrun",
                "dry-1",
                new AskError(ErrorType.RATE_LIMITED, "slow down"),
                3,
                3,
                Instant.now());
    }

    private static Map<String, AskRequest> byCustomId(List<AskRequest> asks) {
        return asks.stream()
                .collect(Collectors.toMap(
                        ask -> ask.idempotencyKey()
                                .substring(ask.idempotencyKey().indexOf('/') + 1),
                        Function.identity()));
    }

    @Test
    void aBatchRunsItsLinesAsAsksAndEndsCompletedWithItsFilesCountsUsageAndEvent() throws Exception {
        start();
        String alice = bed.bearer("alice");
        String aliceId = bed.userId("alice");
        var asks = bed.consumer(bed.kafka.topics().batchRequests());
        var events = bed.consumer(bed.kafka.topics().batchEvents());
        var file = bed.upload(
                aliceId,
                List.of(
                        line("a", "one"),
                        line("b", "two"),
                        "",
                        line("c", "three"),
                        line("d", "four"),
                        line("e", "five")));

        JsonNode created = bed.create(
                alice,
                file.id(),
                "24h",
                ", \"metadata\": {\"team\": \"x\"}, \"callback_url\": \"http://127.0.0.1:9/hook\"");
        assertThat(created.get("status").asText()).isEqualTo("validating");
        assertThat(created.get("id").asText()).matches("batch_[0-9a-f]{32}");
        assertThat(sdk(created).metadata()).isPresent();
        String id = created.get("id").asText();

        List<AskRequest> published = BatchTestBed.take(asks, 5, PATIENCE);
        JsonNode running = bed.untilStatus(alice, id, "in_progress");
        assertThat(running.at("/request_counts/total").asInt()).isEqualTo(5);
        long expiresAt = running.get("expires_at").asLong();
        assertThat(expiresAt).isEqualTo(running.get("created_at").asLong() + 24 * 3600);
        assertThat(published).allSatisfy(ask -> {
            assertThat(ask.priority()).isEqualTo(Priority.BATCH);
            assertThat(ask.userId()).isEqualTo(aliceId);
            assertThat(ask.callbackUrl()).isNull();
            assertThat(ask.deadline())
                    .hasValueSatisfying(d -> assertThat(d.getEpochSecond()).isEqualTo(expiresAt));
            assertThat(ask.acceptedAt().getEpochSecond())
                    .isEqualTo(running.get("in_progress_at").asLong());
            assertThat(ask.idempotencyKey()).startsWith(id + "/");
        });
        Map<String, AskRequest> lines = byCustomId(published);
        assertThat(lines).containsOnlyKeys("a", "b", "c", "d", "e");
        assertThat(published.stream().map(AskRequest::requestId).distinct()).hasSize(5);

        bed.answer(success(lines.get("a"), 10, 5));
        bed.answer(failure(lines.get("b")));
        bed.answer(success(lines.get("c"), 7, 3));
        bed.answer(success(lines.get("a"), 10, 5)); // redelivered
        bed.answer(success(lines.get("d"), 1, 1));
        JsonNode partial =
                bed.until(alice, id, b -> b.at("/request_counts/completed").asInt() == 3, PATIENCE);
        assertThat(partial.get("status").asText()).isEqualTo("in_progress");
        bed.answer(failure(lines.get("e")));

        JsonNode done = bed.untilStatus(alice, id, "completed");
        Batch batch = sdk(done);
        assertThat(batch.requestCounts().orElseThrow().total()).isEqualTo(5);
        assertThat(batch.requestCounts().orElseThrow().completed()).isEqualTo(3);
        assertThat(batch.requestCounts().orElseThrow().failed()).isEqualTo(2);
        assertThat(batch.usage().orElseThrow().inputTokens()).isEqualTo(18);
        assertThat(batch.usage().orElseThrow().outputTokens()).isEqualTo(9);
        assertThat(batch.usage().orElseThrow().totalTokens()).isEqualTo(27);
        assertThat(batch.finalizingAt()).isPresent();
        assertThat(batch.completedAt()).isPresent();

        List<String> output = bed.lines(aliceId, batch.outputFileId().orElseThrow());
        assertThat(output).hasSize(3);
        List<String> outputIds = new ArrayList<>();
        for (String entry : output) {
            JsonNode json = Json.mapper().readTree(entry);
            outputIds.add(json.get("custom_id").asText());
            assertThat(json.get("error").isNull()).isTrue();
            assertThat(json.at("/response/status_code").asInt()).isEqualTo(200);
            String requestId = lines.get(json.get("custom_id").asText()).requestId();
            assertThat(json.at("/response/request_id").asText()).isEqualTo(requestId);
            assertThat(json.get("id").asText()).isEqualTo("batch_req_" + requestId.replace("-", ""));
            ChatCompletion completion = ObjectMappers.jsonMapper()
                    .readValue(json.at("/response/body").toString(), ChatCompletion.class)
                    .validate();
            assertThat(completion.choices().getFirst().message().content())
                    .hasValueSatisfying(text -> assertThat(text).startsWith("answer to "));
        }
        assertThat(outputIds).as("in line order").containsExactly("a", "c", "d");
        List<String> errors = bed.lines(aliceId, batch.errorFileId().orElseThrow());
        assertThat(errors).hasSize(2);
        for (String entry : errors) {
            JsonNode json = Json.mapper().readTree(entry);
            assertThat(json.at("/response/status_code").asInt()).isEqualTo(429);
            assertThat(json.at("/response/body/error/code").asText()).isEqualTo("rate_limited");
        }
        assertThat(bed.files
                        .find(aliceId, batch.outputFileId().get())
                        .orElseThrow()
                        .purpose())
                .isEqualTo("batch_output");

        List<BatchEvent> sent = BatchTestBed.take(events, 1, PATIENCE);
        assertThat(sent).singleElement().satisfies(event -> {
            assertThat(event.eventId()).matches("evt_[0-9a-f]{32}");
            assertThat(event.type()).isEqualTo("batch.completed");
            assertThat(event.batchId()).isEqualTo(id);
            assertThat(event.userId()).isEqualTo(aliceId);
            assertThat(event.callbackUrl()).isEqualTo("http://127.0.0.1:9/hook");
            assertThat(event.createdAt().getEpochSecond())
                    .isEqualTo(done.get("completed_at").asLong());
        });
        assertThat(BatchTestBed.drain(events, Duration.ofSeconds(1)))
                .as("one event")
                .isEmpty();
        assertThat(BatchTestBed.drain(asks, Duration.ofMillis(500)))
                .as("no line queued twice")
                .isEmpty();
        var db = DSL.using(bed.database.dataSource("it-check", PostgresAskLedger.SCHEMA, 1), SQLDialect.POSTGRES);
        assertThat(db.resultQuery("SELECT tokens FROM user_tokens WHERE user_id = ?", aliceId)
                        .fetchOne(0, Long.class))
                .as("the lines' tokens count against the month once")
                .isEqualTo(27L);
    }

    @Test
    void anInvalidFileFailsNamingEachBadLineAndQueuesNothing() throws Exception {
        start();
        String alice = bed.bearer("alice");
        var asks = bed.consumer(bed.kafka.topics().batchRequests());
        var file = bed.upload(
                bed.userId("alice"),
                List.of(
                        line("a", "fine"),
                        "{not json",
                        line("a", "again"),
                        line("m", "x").replace("POST", "PUT")));

        JsonNode failed = bed.untilStatus(
                alice, bed.create(alice, file.id(), "24h", "").get("id").asText(), "failed");

        Batch batch = sdk(failed);
        assertThat(batch.failedAt()).isPresent();
        assertThat(batch.inProgressAt()).isEmpty();
        assertThat(batch.errors().orElseThrow().data().orElseThrow())
                .extracting(e -> e.line().orElseThrow(), e -> e.code().orElseThrow())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, "invalid_json_line"),
                        org.assertj.core.groups.Tuple.tuple(3L, "duplicate_custom_id"),
                        org.assertj.core.groups.Tuple.tuple(4L, "invalid_method"));
        assertThat(batch.requestCounts().orElseThrow().total()).isZero();
        assertThat(BatchTestBed.drain(asks, Duration.ofSeconds(1)))
                .as("nothing queued")
                .isEmpty();
    }

    @Test
    void aCancelCancelsTheLinesStillWaitingAndKeepsTheFinishedOnesInTheOutput() throws Exception {
        start();
        String alice = bed.bearer("alice");
        String aliceId = bed.userId("alice");
        var asks = bed.consumer(bed.kafka.topics().batchRequests());
        var cancels = bed.consumer(bed.kafka.topics().cancels());
        var file = bed.upload(aliceId, List.of(line("a", "1"), line("b", "2"), line("c", "3"), line("d", "4")));
        String id = bed.create(alice, file.id(), "24h", "").get("id").asText();
        Map<String, AskRequest> lines = byCustomId(BatchTestBed.take(asks, 4, PATIENCE));
        bed.untilStatus(alice, id, "in_progress");
        bed.answer(success(lines.get("b"), 2, 2));
        bed.until(alice, id, b -> b.at("/request_counts/completed").asInt() == 1, PATIENCE);

        var cancel = bed.post(alice, "/v1/batches/" + id + "/cancel", "");
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(cancel.body()).get("status").asText()).isEqualTo("cancelling");
        List<AskCancel> sent = BatchTestBed.take(cancels, 3, PATIENCE);
        assertThat(sent)
                .extracting(AskCancel::reqId)
                .containsExactlyInAnyOrder(
                        lines.get("a").requestId(),
                        lines.get("c").requestId(),
                        lines.get("d").requestId());
        assertThat(sent).allSatisfy(c -> assertThat(c.userId()).isEqualTo(aliceId));
        bed.answer(success(lines.get("c"), 1, 1)); // finished before its cancel reached it
        for (String customId : List.of("a", "d")) {
            bed.answer(AskResult.cancelled(
                    lines.get(customId).requestId(), "dryrun", null, "cancelled", 0, 0, Instant.now()));
        }

        JsonNode cancelled = bed.untilStatus(alice, id, "cancelled");
        Batch batch = sdk(cancelled);
        assertThat(batch.cancellingAt()).isPresent();
        assertThat(batch.cancelledAt()).isPresent();
        assertThat(batch.requestCounts().orElseThrow().completed()).isEqualTo(2);
        assertThat(batch.requestCounts().orElseThrow().failed()).isEqualTo(2);
        assertThat(bed.lines(aliceId, batch.outputFileId().orElseThrow()))
                .extracting(l -> Json.mapper().readTree(l).get("custom_id").asText())
                .containsExactly("b", "c");
        assertThat(bed.lines(aliceId, batch.errorFileId().orElseThrow()))
                .extracting(l -> Json.mapper().readTree(l))
                .allSatisfy(entry -> {
                    assertThat(entry.get("response").isNull()).isTrue();
                    assertThat(entry.at("/error/code").asText()).isEqualTo("batch_cancelled");
                })
                .extracting(entry -> entry.get("custom_id").asText())
                .containsExactly("a", "d");
        assertThat(BatchTestBed.drain(cancels, Duration.ofMillis(500)))
                .as("cancels sent once")
                .isEmpty();
        var again = bed.post(alice, "/v1/batches/" + id + "/cancel", "");
        assertThat(Json.mapper().readTree(again.body()).get("status").asText()).isEqualTo("cancelled");
    }

    @Test
    void aShortWindowEndsExpiredWithTheUnansweredLinesAsBatchExpired() throws Exception {
        start();
        String alice = bed.bearer("alice");
        String aliceId = bed.userId("alice");
        var asks = bed.consumer(bed.kafka.topics().batchRequests());
        var file = bed.upload(aliceId, List.of(line("a", "1"), line("b", "2"), line("c", "3")));
        String id = bed.create(alice, file.id(), "3s", "").get("id").asText();
        Map<String, AskRequest> lines = byCustomId(BatchTestBed.take(asks, 3, PATIENCE));
        JsonNode running = bed.untilStatus(alice, id, "in_progress");
        assertThat(running.get("completion_window").asText()).isEqualTo("3s");
        assertThat(lines.get("a").deadline())
                .hasValueSatisfying(d -> assertThat(d.getEpochSecond())
                        .isEqualTo(running.get("expires_at").asLong()));
        bed.answer(success(lines.get("a"), 1, 1));

        JsonNode expired = bed.untilStatus(alice, id, "expired");
        Batch batch = sdk(expired);
        assertThat(batch.expiredAt()).isPresent();
        assertThat(batch.expiredAt().get())
                .isGreaterThanOrEqualTo(batch.expiresAt().orElseThrow());
        assertThat(batch.requestCounts().orElseThrow().completed()).isEqualTo(1);
        assertThat(batch.requestCounts().orElseThrow().failed()).isEqualTo(2);
        assertThat(bed.lines(aliceId, batch.outputFileId().orElseThrow())).hasSize(1);
        assertThat(bed.lines(aliceId, batch.errorFileId().orElseThrow()))
                .extracting(l -> Json.mapper().readTree(l))
                .extracting(entry -> entry.get("custom_id").asText() + " "
                        + entry.at("/error/code").asText())
                .containsExactly("b batch_expired", "c batch_expired");
    }

    @Test
    void anotherUsersBatchIsNotFoundAndTheListPagesNewestFirst() throws Exception {
        start();
        String alice = bed.bearer("alice");
        String bob = bed.bearer("bob");
        var file = bed.upload(bed.userId("alice"), List.of(line("a", "1")));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(bed.create(alice, file.id(), "24h", "").get("id").asText());
        }

        assertThat(bed.get(bob, "/v1/batches/" + ids.getFirst()).statusCode()).isEqualTo(404);
        var notFound = Json.mapper()
                .readTree(bed.get(bob, "/v1/batches/" + ids.getFirst()).body());
        assertThat(notFound.at("/error/type").asText()).isEqualTo("not_found_error");
        assertThat(bed.post(bob, "/v1/batches/" + ids.getFirst() + "/cancel", "")
                        .statusCode())
                .isEqualTo(404);
        var bobsCreate = bed.post(
                bob,
                "/v1/batches",
                "{\"input_file_id\": \"" + file.id()
                        + "\", \"endpoint\": \"/v1/chat/completions\", \"completion_window\": \"24h\"}");
        assertThat(bobsCreate.statusCode()).as("alice's file is not bob's").isEqualTo(404);
        assertThat(Json.mapper().readTree(bed.get(bob, "/v1/batches").body()).get("data"))
                .isEmpty();

        JsonNode first =
                Json.mapper().readTree(bed.get(alice, "/v1/batches?limit=2").body());
        assertThat(first.get("object").asText()).isEqualTo("list");
        assertThat(first.get("data")).extracting(b -> b.get("id").asText()).containsExactly(ids.get(2), ids.get(1));
        assertThat(first.get("has_more").asBoolean()).isTrue();
        assertThat(first.get("last_id").asText()).isEqualTo(ids.get(1));
        JsonNode second = Json.mapper()
                .readTree(bed.get(alice, "/v1/batches?limit=2&after=" + ids.get(1))
                        .body());
        assertThat(second.get("data")).extracting(b -> b.get("id").asText()).containsExactly(ids.get(0));
        assertThat(second.get("has_more").asBoolean()).isFalse();
        assertThat(bed.get(alice, "/v1/batches?limit=0").statusCode()).isEqualTo(400);
    }

    @Test
    void badParametersAreOpenAisFourHundredsNamingThem() throws Exception {
        start();
        String alice = bed.bearer("alice");
        var file = bed.upload(bed.userId("alice"), List.of(line("a", "1")));
        Map<String, String> refusals = Map.of(
                "endpoint",
                        "{\"input_file_id\": \"" + file.id() + "\", \"endpoint\": \"/v1/embeddings\","
                                + " \"completion_window\": \"24h\"}",
                "completion_window",
                        "{\"input_file_id\": \"" + file.id() + "\", \"endpoint\": \"/v1/chat/completions\","
                                + " \"completion_window\": \"8d\"}",
                "input_file_id", "{\"endpoint\": \"/v1/chat/completions\", \"completion_window\": \"24h\"}",
                "callback_url",
                        "{\"input_file_id\": \"" + file.id() + "\", \"endpoint\": \"/v1/chat/completions\","
                                + " \"completion_window\": \"24h\", \"callback_url\": \"ftp://example.com/x\"}");
        for (var refusal : refusals.entrySet()) {
            var response = bed.post(alice, "/v1/batches", refusal.getValue());
            assertThat(response.statusCode()).as(refusal.getKey()).isEqualTo(400);
            JsonNode error = Json.mapper().readTree(response.body()).get("error");
            assertThat(error.get("param").asText()).isEqualTo(refusal.getKey());
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        }
    }

    @Test
    void aUserWhoseMonthIsSpentGetsATooManyRequests() throws Exception {
        start(database -> new PostgresQuotas(
                DSL.using(database.dataSource("it-quotas", PostgresAskLedger.SCHEMA, 1), SQLDialect.POSTGRES),
                user -> new QuotaOverride(
                        java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty()),
                Duration.ZERO,
                new QuotaSettings(new Limits(0, 0, 100), Duration.ofHours(1)),
                Clock.systemUTC()));
        String alice = bed.bearer("alice");
        String aliceId = bed.userId("alice");
        var file = bed.upload(aliceId, List.of(line("a", "1")));
        bed.create(alice, file.id(), "24h", "");
        var db = DSL.using(bed.database.dataSource("it-spend", PostgresAskLedger.SCHEMA, 1), SQLDialect.POSTGRES);
        db.execute(
                "INSERT INTO user_tokens (user_id, month, tokens) VALUES (?, ?::date, 100)",
                aliceId,
                YearMonth.now(ZoneOffset.UTC).atDay(1).toString());

        var refused = bed.post(
                alice,
                "/v1/batches",
                "{\"input_file_id\": \"" + file.id()
                        + "\", \"endpoint\": \"/v1/chat/completions\", \"completion_window\": \"24h\"}");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Json.mapper().readTree(refused.body()).at("/error/code").asText())
                .isEqualTo("quota_monthly_tokens");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    }
}
