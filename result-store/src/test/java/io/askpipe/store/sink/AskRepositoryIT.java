package io.askpipe.store.sink;

import static io.askpipe.store.db.Tables.WEBHOOK_DELIVERIES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.JoinedAsk;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.store.notify.Notifications;
import io.askpipe.store.view.AskView;
import io.askpipe.store.view.UsageView;
import io.askpipe.store.webhook.WebhookDeliveries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

public class AskRepositoryIT {
    /** A retention no test's fixed timestamps ever fall out of. */
    public static final Duration KEEP_ALL = Duration.ofDays(36_500);

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static com.zaxxer.hikari.HikariDataSource dataSource;
    private static AskRepository asks;

    @BeforeAll
    static void migrate() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String url = pg.createDatabase(SharedInfrastructure.uniqueName("repo"));
        dataSource = new DatabaseSettings(url, pg.user(), pg.password(), 2).dataSource("test", StoreSchema.SCHEMA);
        FlywayMigrations.migrate(dataSource, StoreSchema.SCHEMA);
        asks = new AskRepository(DSL.using(dataSource, SQLDialect.POSTGRES), Clock.systemUTC(), KEEP_ALL);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    private static AskRequest ask(String id) {
        return new AskRequest(id, "alice", "k-" + id, "prompt", "gpt-x", null, T0);
    }

    @Test
    void progressMovesAQueuedAskToRunningAndNeverBack() {
        String id = "00000000-0000-7000-8000-0000000000a1";
        AskProgress started = new AskProgress(id, "dryrun", T0);
        asks.upsert(ask(id), null);
        asks.upsert(ask(id), started, null);
        AskView running = asks.find(id, "alice").orElseThrow();
        assertThat(running.status()).isEqualTo(AskStatus.RUNNING);
        assertThat(running.result()).isNull();
        asks.upsert(ask(id), null); // a replayed queued emission
        assertThat(asks.find(id, "alice").orElseThrow().status()).isEqualTo(AskStatus.RUNNING);

        asks.upsert(ask(id), started, AskResult.succeeded(id, "dryrun", "m", "42", Usage.of(1, 1), 3, 1, T0));
        asks.upsert(ask(id), started, null); // a replayed running emission
        assertThat(asks.find(id, "alice").orElseThrow().status()).isEqualTo(AskStatus.SUCCEEDED);

        String early = "00000000-0000-7000-8000-0000000000a2";
        asks.upsert(ask(early), new AskProgress(early, "dryrun", T0), null);
        assertThat(asks.find(early, "alice").orElseThrow().status())
                .as("an ask first seen with its progress")
                .isEqualTo(AskStatus.RUNNING);
    }

    @Test
    void queuedAskBecomesSucceededWithTheWholeEnvelope() {
        String id = "00000000-0000-7000-8000-000000000001";
        asks.upsert(ask(id), null);
        assertThat(asks.find(id, "alice")).get().satisfies(v -> {
            assertThat(v.status()).isEqualTo(AskStatus.QUEUED);
            assertThat(v.result()).isNull();
            assertThat(v.acceptedAt()).isEqualTo(T0);
        });

        asks.upsert(ask(id), AskResult.succeeded(id, "dryrun", "m", "42", Usage.of(2, 3), 17, 1, T0.plusSeconds(2)));
        AskView view = asks.find(id, "alice").orElseThrow();
        assertThat(view.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(view.result()).isEqualTo(new AskView.Envelope("dryrun", "m", "42", new Usage(2, 3, 5), 17, id));
        assertThat(view.completedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(view.attempts()).isEqualTo(1);
        assertThat(view.error()).isNull();
    }

    @Test
    void firstTerminalResultWinsAndReplaysChangeNothing() {
        String id = "00000000-0000-7000-8000-000000000002";
        AskResult first =
                AskResult.failed(id, "openai", "gpt-x", new AskError(ErrorType.TIMEOUT, "slow"), 30_000, 1, T0);
        asks.upsert(ask(id), first);
        asks.upsert(ask(id), AskResult.succeeded(id, "dryrun", "m", "late", Usage.NONE, 1, 1, T0));
        asks.upsert(ask(id), null);

        AskView view = asks.find(id, "alice").orElseThrow();
        assertThat(view.status()).isEqualTo(AskStatus.FAILED);
        assertThat(view.error()).isEqualTo(new AskError(ErrorType.TIMEOUT, "slow"));
        assertThat(view.result().answer()).isNull();
    }

    @Test
    void theWholeReplyIsKeptServedAndCarriedByTheWebhook() throws Exception {
        String id = "00000000-0000-7000-8000-0000000000c1";
        AskRequest withCallback =
                new AskRequest(id, "alice", "k-" + id, "prompt", null, null, T0, "https://hooks.example.com/r");
        ChatMessage reply = new ChatMessage(
                io.askpipe.schemas.chat.Role.ASSISTANT,
                io.askpipe.schemas.chat.MessageContent.of("Checking the weather."),
                null,
                List.of(io.askpipe.schemas.chat.ToolCall.function("call_1", "get_weather", "{\"city\":\"Paris\"}")),
                null,
                null);
        AskResult result = AskResult.succeeded(
                        id,
                        "openai",
                        "gpt-4o-mini",
                        "",
                        Usage.of(40, 12).withCachedTokens(32).withReasoningTokens(4),
                        812,
                        1,
                        T0.plusSeconds(1))
                .withReply(reply, io.askpipe.schemas.chat.FinishReason.TOOL_CALLS, "fp_44709d6fcb");
        asks.upsert(withCallback, result);

        AskView view = asks.find(id, "alice").orElseThrow();
        assertThat(view.result().finishReason()).isEqualTo(io.askpipe.schemas.chat.FinishReason.TOOL_CALLS);
        assertThat(view.result().message()).isEqualTo(reply);
        assertThat(view.result().answer()).isEqualTo("Checking the weather.");
        assertThat(view.result().usage()).isEqualTo(result.usage());
        assertThat(view.result().systemFingerprint()).isEqualTo("fp_44709d6fcb");
        assertThat(view.outcome()).as("the result as the router published it").contains(result);

        JsonNode envelope =
                Json.mapper().readTree(Json.mapper().writeValueAsString(view)).get("result");
        assertThat(envelope.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(envelope.at("/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(envelope.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                .isEqualTo(32);
        assertThat(envelope.at("/usage/completion_tokens_details/reasoning_tokens")
                        .asInt())
                .isEqualTo(4);
        assertThat(envelope.get("system_fingerprint").asText()).isEqualTo("fp_44709d6fcb");

        String payload = DSL.using(dataSource, SQLDialect.POSTGRES)
                .select(WEBHOOK_DELIVERIES.PAYLOAD)
                .from(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(id))
                .fetchSingle(WEBHOOK_DELIVERIES.PAYLOAD);
        assertThat(Json.mapper().readTree(payload).at("/data/result"))
                .as("the webhook carries the same result")
                .isEqualTo(envelope);
    }

    @Test
    void aResultOfTextOnlyHasNoReplyFields() {
        String id = "00000000-0000-7000-8000-0000000000c2";
        AskResult result = AskResult.succeeded(id, "dryrun", "m", "42", Usage.of(2, 3), 17, 1, T0);
        asks.upsert(ask(id), result);

        AskView view = asks.find(id, "alice").orElseThrow();
        JsonNode envelope = Json.mapper().valueToTree(view).get("result");
        assertThat(envelope.has("finish_reason")).isFalse();
        assertThat(envelope.has("message")).isFalse();
        assertThat(envelope.has("system_fingerprint")).isFalse();
        assertThat(envelope.get("usage").has("prompt_tokens_details")).isFalse();
        assertThat(view.outcome()).contains(result);
    }

    @Test
    void anUnfinishedAskHasNoOutcome() {
        String id = "00000000-0000-7000-8000-0000000000c3";
        asks.upsert(ask(id), null);

        assertThat(asks.find(id, "alice").orElseThrow().outcome()).isEmpty();
    }

    @Test
    void anErrorTypeOfANewerVersionIsStoredAndServedAsWritten() {
        String id = "00000000-0000-7000-8000-0000000000e1";
        AskError unknown = new AskError(new AskError.UnknownType("quota_exhausted", 402), "out of credit");
        asks.upsert(ask(id), AskResult.failed(id, "openai", "gpt-x", unknown, 5, 1, T0));

        AskView view = asks.find(id, "alice").orElseThrow();
        assertThat(view.error()).isEqualTo(unknown);
        JsonNode error = Json.mapper().valueToTree(view).get("error");
        assertThat(error.get("type").asText()).isEqualTo("quota_exhausted");
        assertThat(error.get("http_status").asInt()).isEqualTo(402);
    }

    @Test
    void aBatchWritesEveryKindOfChangeAndTheLastRecordOfAnAskCounts() throws Exception {
        String queued = "00000000-0000-7000-8000-0000000000b1";
        String running = "00000000-0000-7000-8000-0000000000b2";
        String succeeded = "00000000-0000-7000-8000-0000000000b3";
        String failed = "00000000-0000-7000-8000-0000000000b4";
        String alreadyDone = "00000000-0000-7000-8000-0000000000b5";
        asks.upsert(ask(alreadyDone), AskResult.succeeded(alreadyDone, "dryrun", "m", "first", Usage.NONE, 1, 1, T0));
        AskRequest withCallback = new AskRequest(
                succeeded, "alice", "k-" + succeeded, "prompt", null, null, T0, "https://hooks.example.com/a");

        // LISTEN on the channel the long-pollers wait on: each ask made terminal is announced once
        List<String> announced = new ArrayList<>();
        try (var listener = dataSource.getConnection()) {
            listener.createStatement().execute("LISTEN " + Notifications.ASK_DONE);
            asks.write(List.of(
                    new JoinedAsk(ask(queued), null, null),
                    new JoinedAsk(ask(running), null, null),
                    new JoinedAsk(ask(running), new AskProgress(running, "llama", T0), null),
                    new JoinedAsk(withCallback, null, null),
                    new JoinedAsk(
                            withCallback,
                            null,
                            AskResult.succeeded(succeeded, "dryrun", "m", "42", Usage.of(1, 2), 5, 1, T0)),
                    new JoinedAsk(
                            ask(failed),
                            null,
                            AskResult.failed(
                                    failed, "openai", "gpt-x", new AskError(ErrorType.TIMEOUT, "slow"), 9, 2, T0)),
                    new JoinedAsk(
                            ask(alreadyDone),
                            null,
                            AskResult.succeeded(alreadyDone, "dryrun", "m", "again", Usage.NONE, 1, 1, T0))));
            listener.createStatement().execute("SELECT 1"); // notifications arrive with the next round trip
            var notifications =
                    listener.unwrap(org.postgresql.PGConnection.class).getNotifications(1_000);
            for (var notification : notifications) {
                announced.add(notification.getParameter());
            }
        }

        assertThat(asks.find(queued, "alice").orElseThrow().status()).isEqualTo(AskStatus.QUEUED);
        assertThat(asks.find(running, "alice").orElseThrow().status()).isEqualTo(AskStatus.RUNNING);
        AskView done = asks.find(succeeded, "alice").orElseThrow();
        assertThat(done.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(done.result().answer()).isEqualTo("42");
        assertThat(done.error()).isNull();
        AskView broken = asks.find(failed, "alice").orElseThrow();
        assertThat(broken.status()).isEqualTo(AskStatus.FAILED);
        assertThat(broken.error()).isEqualTo(new AskError(ErrorType.TIMEOUT, "slow"));
        assertThat(broken.attempts()).isEqualTo(2);
        assertThat(asks.find(alreadyDone, "alice").orElseThrow().result().answer())
                .as("a terminal ask does not change")
                .isEqualTo("first");
        assertThat(announced).containsExactlyInAnyOrder(succeeded, failed);
        var deliveries = new WebhookDeliveries(DSL.using(dataSource, SQLDialect.POSTGRES), Clock.systemUTC());
        assertThat(deliveries.find(succeeded, "alice"))
                .as("the webhook owed with the result")
                .isPresent();
        assertThat(deliveries.find(failed, "alice"))
                .as("no callback_url, no webhook")
                .isEmpty();

        // the same batch again, as after a crash before the offsets were committed: nothing changes
        asks.write(List.of(new JoinedAsk(
                withCallback, null, AskResult.succeeded(succeeded, "dryrun", "m", "other", Usage.NONE, 1, 1, T0))));
        assertThat(asks.find(succeeded, "alice").orElseThrow().result().answer())
                .isEqualTo("42");
    }

    @Test
    void unknownIdIsEmpty() {
        assertThat(asks.find("00000000-0000-7000-8000-0000000000ff", "alice")).isEmpty();
    }

    @Test
    void anExpiredAskIsStoredTerminalFilteredCountedAndOwesItsWebhook() {
        String user = "expiry-" + System.nanoTime();
        String expiredId = "00000000-0000-7000-8000-000000000e01";
        String queuedId = "00000000-0000-7000-8000-000000000e02";
        Instant reached = T0.plusSeconds(5);
        AskRequest expiring = new AskRequest(
                        expiredId,
                        user,
                        "k-e1",
                        ChatRequest.ofPrompt("p", null),
                        null,
                        T0,
                        "https://hooks.example.com/e",
                        Map.of(),
                        null)
                .withDeadline(T0.plusSeconds(1));
        asks.upsert(new AskRequest(queuedId, user, "k-e2", "p", null, null, T0), null);
        asks.upsert(expiring, null);

        asks.upsert(expiring, AskResult.expired(expiredId, "dryrun", null, "the ask's deadline passed", 0, 0, reached));
        // a late success (another worker's race, a replay) never moves it on
        asks.upsert(expiring, AskResult.succeeded(expiredId, "dryrun", "m", "late", Usage.of(1, 1), 1, 1, T0));

        AskView view = asks.find(expiredId, user).orElseThrow();
        assertThat(view.status()).isEqualTo(AskStatus.EXPIRED);
        assertThat(view.completedAt()).isEqualTo(reached);
        assertThat(view.error()).isEqualTo(new AskError(ErrorType.DEADLINE_EXCEEDED, "the ask's deadline passed"));
        assertThat(view.result().answer()).isNull();
        assertThat(view.attempts()).isZero();
        assertThat(view.outcome().orElseThrow().status()).isEqualTo(AskStatus.EXPIRED);
        assertThat(asks.list(user, AskStatus.EXPIRED, null, 10))
                .extracting(AskView::requestId)
                .containsExactly(expiredId);
        assertThat(asks.list(user, AskStatus.FAILED, null, 10)).isEmpty();
        assertThat(asks.usage(user).asks()).isEqualTo(new UsageView.Asks(2, 1, 0, 0, 1, 0));
        String event = DSL.using(dataSource, SQLDialect.POSTGRES)
                .select(WEBHOOK_DELIVERIES.PAYLOAD)
                .from(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(expiredId))
                .fetchSingle(WEBHOOK_DELIVERIES.PAYLOAD);
        assertThat(event).contains("\"type\":\"ask.expired\"", "\"status\":\"expired\"", "deadline_exceeded");
    }

    @Test
    void aCancelledAskIsStoredTerminalFilteredCountedAndOwesItsWebhook() {
        String user = "cancel-" + System.nanoTime();
        String cancelledId = "00000000-0000-7000-8000-000000000c01";
        String queuedId = "00000000-0000-7000-8000-000000000c02";
        Instant reached = T0.plusSeconds(3);
        AskRequest cancelling = new AskRequest(
                cancelledId,
                user,
                "k-c1",
                ChatRequest.ofPrompt("p", null),
                null,
                T0,
                "https://hooks.example.com/c",
                Map.of(),
                null);
        asks.upsert(new AskRequest(queuedId, user, "k-c2", "p", null, null, T0), null);
        asks.upsert(cancelling, null);

        asks.upsert(
                cancelling,
                AskResult.cancelled(cancelledId, "dryrun", null, "the ask was cancelled by its owner", 0, 0, reached));
        // an answer that lost the race to the cancel never moves it on
        asks.upsert(cancelling, AskResult.succeeded(cancelledId, "dryrun", "m", "late", Usage.of(1, 1), 1, 1, T0));

        AskView view = asks.find(cancelledId, user).orElseThrow();
        assertThat(view.status()).isEqualTo(AskStatus.CANCELLED);
        assertThat(view.completedAt()).as("the moment of the cancel").isEqualTo(reached);
        assertThat(view.error()).isEqualTo(new AskError(ErrorType.CANCELLED, "the ask was cancelled by its owner"));
        assertThat(view.result().answer()).isNull();
        assertThat(asks.list(user, AskStatus.CANCELLED, null, 10))
                .extracting(AskView::requestId)
                .containsExactly(cancelledId);
        assertThat(asks.list(user, AskStatus.SUCCEEDED, null, 10)).isEmpty();
        assertThat(asks.usage(user).asks()).isEqualTo(new UsageView.Asks(2, 1, 0, 0, 0, 1));
        String event = DSL.using(dataSource, SQLDialect.POSTGRES)
                .select(WEBHOOK_DELIVERIES.PAYLOAD)
                .from(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(cancelledId))
                .fetchSingle(WEBHOOK_DELIVERIES.PAYLOAD);
        assertThat(event).contains("\"type\":\"ask.cancelled\"", "\"status\":\"cancelled\"", "\"cancelled\"");
    }

    @Test
    void anotherUsersAskIsNotFound() {
        String id = "00000000-0000-7000-8000-000000000003";
        asks.upsert(ask(id), null);
        assertThat(asks.find(id, "alice")).isPresent();
        assertThat(asks.find(id, "bob")).isEmpty();
    }

    @Test
    void usageCountsAUsersAsksByOutcomeAndSumsTheirTokens() {
        String user = "usage-" + System.nanoTime();
        String[] ids = {
            "00000000-0000-7000-8000-000000000a01",
            "00000000-0000-7000-8000-000000000a02",
            "00000000-0000-7000-8000-000000000a03",
            "00000000-0000-7000-8000-000000000a04"
        };
        for (String id : ids) {
            asks.upsert(new AskRequest(id, user, "k-" + id, "p", null, null, T0), null);
        }
        AskRequest second = new AskRequest(ids[1], user, "k-" + ids[1], "p", null, null, T0);
        AskRequest third = new AskRequest(ids[2], user, "k-" + ids[2], "p", null, null, T0);
        AskRequest fourth = new AskRequest(ids[3], user, "k-" + ids[3], "p", null, null, T0);
        asks.upsert(second, AskResult.succeeded(ids[1], "dryrun", "m", "a", Usage.of(10, 5), 1, 1, T0));
        asks.upsert(third, AskResult.succeeded(ids[2], "dryrun", "m", "b", Usage.of(7, 3), 1, 1, T0));
        asks.upsert(fourth, AskResult.failed(ids[3], "openai", "m", new AskError(ErrorType.TIMEOUT, "slow"), 9, 2, T0));

        assertThat(asks.usage(user))
                .isEqualTo(new UsageView(user, new UsageView.Asks(4, 1, 2, 1, 0, 0), new UsageView.Tokens(17, 8, 25)));
        UsageView nobody = asks.usage("nobody-" + System.nanoTime());
        assertThat(nobody.asks()).isEqualTo(new UsageView.Asks(0, 0, 0, 0, 0, 0));
        assertThat(nobody.tokens()).isEqualTo(new UsageView.Tokens(0, 0, 0));
    }

    @Test
    void listPagesThroughOneUsersAsksNewestFirst() {
        String user = "lister-" + System.nanoTime();
        String[] ids = new String[5];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "00000000-0000-7000-8000-00000000b00" + i;
            asks.upsert(new AskRequest(ids[i], user, "k-" + i, "p", null, null, T0.plusSeconds(i)), null);
        }
        asks.upsert(ask("00000000-0000-7000-8000-00000000b0ff"), null); // alice's, not listed
        AskRequest third = new AskRequest(ids[2], user, "k-2", "p", null, null, T0);
        asks.upsert(third, AskResult.succeeded(ids[2], "dryrun", "m", "a", Usage.NONE, 1, 1, T0));

        assertThat(asks.list(user, null, null, 2))
                .extracting(AskView::requestId)
                .containsExactly(ids[4], ids[3]);
        assertThat(asks.list(user, null, ids[3], 2))
                .extracting(AskView::requestId)
                .containsExactly(ids[2], ids[1]);
        assertThat(asks.list(user, null, ids[1], 2))
                .extracting(AskView::requestId)
                .containsExactly(ids[0]);
        assertThat(asks.list(user, AskStatus.SUCCEEDED, null, 10))
                .extracting(AskView::requestId)
                .containsExactly(ids[2]);
        assertThat(asks.list(user, AskStatus.QUEUED, null, 10)).hasSize(4);
    }

    private static AskRequest labelled(String id, String user, Map<String, String> metadata, String callbackUrl) {
        return new AskRequest(
                id, user, "k-" + id, ChatRequest.ofPrompt("p", null), null, T0, callbackUrl, metadata, null);
    }

    @Test
    void metadataIsStoredWithTheAskReturnedWithItAndFiltersTheList() throws Exception {
        String user = "labeller-" + System.nanoTime();
        String search = "00000000-0000-7000-8000-00000000f001";
        String searchProd = "00000000-0000-7000-8000-00000000f002";
        String billing = "00000000-0000-7000-8000-00000000f003";
        String plain = "00000000-0000-7000-8000-00000000f004";
        asks.upsert(labelled(search, user, Map.of("team", "search"), null), null);
        asks.upsert(
                labelled(searchProd, user, Map.of("team", "search", "env", "prod"), "http://127.0.0.1:9/hook"), null);
        asks.upsert(labelled(billing, user, Map.of("team", "billing", "env", "prod"), null), null);
        asks.upsert(labelled(plain, user, Map.of(), null), null);
        asks.upsert(
                labelled(searchProd, user, Map.of("team", "search", "env", "prod"), "http://127.0.0.1:9/hook"),
                AskResult.succeeded(searchProd, "dryrun", "m", "42", Usage.of(1, 1), 3, 1, T0));

        assertThat(asks.find(searchProd, user).orElseThrow().metadata())
                .containsExactly(Map.entry("env", "prod"), Map.entry("team", "search"));
        assertThat(asks.find(plain, user).orElseThrow().metadata()).isEmpty();
        assertThat(Json.mapper()
                        .valueToTree(asks.find(plain, user).orElseThrow())
                        .has("metadata"))
                .as("absent when the ask has none")
                .isFalse();
        assertThat(asks.list(user, null, Map.of("team", "search"), null, 10))
                .extracting(AskView::requestId)
                .containsExactly(searchProd, search);
        assertThat(asks.list(user, null, Map.of("team", "search", "env", "prod"), null, 10))
                .extracting(AskView::requestId)
                .containsExactly(searchProd);
        assertThat(asks.list(user, null, Map.of("env", "prod"), null, 10))
                .extracting(AskView::requestId)
                .containsExactly(billing, searchProd);
        assertThat(asks.list(user, AskStatus.QUEUED, Map.of("env", "prod"), null, 10))
                .extracting(AskView::requestId)
                .containsExactly(billing);
        assertThat(asks.list(user, null, Map.of("team", "nobody"), null, 10)).isEmpty();
        assertThat(asks.list("someone-else", null, Map.of("team", "search"), null, 10))
                .isEmpty();
        assertThat(asks.list(user, null, Map.of(), null, 10)).hasSize(4);

        String payload = DSL.using(dataSource, SQLDialect.POSTGRES)
                .select(WEBHOOK_DELIVERIES.PAYLOAD)
                .from(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(searchProd))
                .fetchSingle(WEBHOOK_DELIVERIES.PAYLOAD);
        assertThat(Json.mapper().readTree(payload).at("/data/metadata/team").asText())
                .as("the webhook carries the ask's metadata")
                .isEqualTo("search");
    }

    @Test
    void aChatAskIsStoredWithTheTextOfItsLastUserMessageAsItsPrompt() {
        String id = "00000000-0000-7000-8000-00000000f101";
        ChatRequest chat = ChatRequest.builder(List.of(
                        ChatMessage.system("Be brief."),
                        ChatMessage.user("Why is the sky blue?"),
                        ChatMessage.assistant("Rayleigh.")))
                .model("gpt-x")
                .temperature(0.2)
                .build();
        asks.upsert(new AskRequest(id, "alice", "k-" + id, chat, null, T0), null);

        var row = DSL.using(dataSource, SQLDialect.POSTGRES)
                .selectFrom(io.askpipe.store.db.Tables.ASKS)
                .where(io.askpipe.store.db.Tables.ASKS.REQUEST_ID.eq(id))
                .fetchSingle();
        assertThat(row.getPrompt()).isEqualTo("Why is the sky blue?");
        assertThat(row.getRequestedModel()).isEqualTo("gpt-x");
        assertThat(row.getMetadata()).isNull();
    }

    @Test
    void purgeDeletesAsksCompletedBeforeTheCutoffAndUnfinishedAsksAcceptedBeforeIt() {
        String user = "purged-" + System.nanoTime();
        String old = "00000000-0000-7000-8000-00000000c001";
        String recent = "00000000-0000-7000-8000-00000000c002";
        String abandoned = "00000000-0000-7000-8000-00000000c003";
        String open = "00000000-0000-7000-8000-00000000c004";
        for (String id : new String[] {old, recent, abandoned}) {
            asks.upsert(new AskRequest(id, user, "k-" + id, "p", null, null, T0), null);
        }
        asks.upsert(new AskRequest(open, user, "k-" + open, "p", null, null, T0.plusSeconds(60)), null);
        asks.upsert(
                new AskRequest(old, user, "k-" + old, "p", null, null, T0),
                AskResult.succeeded(old, "dryrun", "m", "a", Usage.NONE, 1, 1, T0.plusSeconds(10)));
        asks.upsert(
                new AskRequest(recent, user, "k-" + recent, "p", null, null, T0),
                AskResult.succeeded(recent, "dryrun", "m", "a", Usage.NONE, 1, 1, T0.plusSeconds(100)));

        List<String> due = asks.expired(T0.plusSeconds(50), 1_000);
        assertThat(due).contains(old, abandoned).doesNotContain(recent, open);
        assertThat(asks.delete(due, T0.plusSeconds(50))).isEqualTo(due.size());
        assertThat(asks.find(old, user)).isEmpty();
        assertThat(asks.find(abandoned, user))
                .as("an ask still queued past the retention period is never run: it goes")
                .isEmpty();
        assertThat(asks.find(recent, user)).isPresent();
        assertThat(asks.find(open, user))
                .as("a queued ask accepted after the cutoff stays")
                .isPresent();
    }

    @Test
    void nothingPastTheRetentionPeriodIsWrittenAnewButWhatStillExistsMovesOn() throws Exception {
        String user = "horizon-" + System.nanoTime();
        String callback = "http://127.0.0.1:9/hook"; // stored, never called: no dispatcher runs here
        Instant now = T0.plus(Duration.ofDays(40));
        AskRepository horizon = new AskRepository(
                DSL.using(dataSource, SQLDialect.POSTGRES), Clock.fixed(now, ZoneOffset.UTC), Duration.ofDays(30));
        String purgedDone = "00000000-0000-7000-8000-00000000d001";
        String purgedQueued = "00000000-0000-7000-8000-00000000d002";
        String stillQueued = "00000000-0000-7000-8000-00000000d003";
        String fresh = "00000000-0000-7000-8000-00000000d004";
        java.util.function.BiFunction<String, Instant, AskRequest> request =
                (id, at) -> new AskRequest(id, user, "k-" + id, "p", null, null, at, callback);
        asks.upsert(request.apply(stillQueued, T0), null); // written while inside the period

        // a replay of asks the purge deleted: the terminal one with its result, the other as queued
        List<JoinedAsk> finished = horizon.write(List.of(
                new JoinedAsk(
                        request.apply(purgedDone, T0),
                        null,
                        AskResult.succeeded(purgedDone, "dryrun", "m", "a", Usage.NONE, 1, 1, T0.plusSeconds(5))),
                new JoinedAsk(request.apply(purgedQueued, T0), null, null),
                new JoinedAsk(
                        request.apply(stillQueued, T0),
                        null,
                        AskResult.succeeded(stillQueued, "dryrun", "m", "late", Usage.NONE, 1, 1, T0.plusSeconds(9))),
                new JoinedAsk(request.apply(fresh, now.minusSeconds(60)), null, null)));

        assertThat(asks.find(purgedDone, user)).as("a purged terminal ask").isEmpty();
        assertThat(asks.find(purgedQueued, user)).as("a purged ask as queued").isEmpty();
        assertThat(asks.find(stillQueued, user))
                .as("a row that still exists is updated, however old")
                .get()
                .satisfies(v -> assertThat(v.status()).isEqualTo(AskStatus.SUCCEEDED));
        assertThat(asks.find(fresh, user)).as("inside the period").isPresent();
        assertThat(finished).extracting(j -> j.request().requestId()).containsExactly(stillQueued);
        try (var c = dataSource.getConnection();
                var rs = c.createStatement()
                        .executeQuery("SELECT request_id FROM store.webhook_deliveries WHERE request_id LIKE"
                                + " '00000000-0000-7000-8000-00000000d%'")) {
            List<String> owed = new ArrayList<>();
            while (rs.next()) {
                owed.add(rs.getString(1));
            }
            assertThat(owed).as("webhooks owed").containsExactly(stillQueued);
        }
    }
}
