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

    /** The ids announced on {@link Notifications#ASK_DONE}, heard on a connection of its own. */
    private static final class Announcements implements AutoCloseable {
        private final java.sql.Connection connection;
        private final List<String> heard = new ArrayList<>();

        Announcements() throws Exception {
            connection = dataSource.getConnection();
            connection.createStatement().execute("LISTEN " + Notifications.ASK_DONE);
        }

        /** Every id announced so far, once per announcement. */
        List<String> heard() throws Exception {
            connection.createStatement().execute("SELECT 1"); // notifications arrive with a round trip
            var notifications =
                    connection.unwrap(org.postgresql.PGConnection.class).getNotifications(500);
            if (notifications != null) {
                for (var notification : notifications) {
                    heard.add(notification.getParameter());
                }
            }
            return heard;
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    /** How many webhook deliveries the outbox holds for {@code requestId}, and the last one's traceparent. */
    private static List<String> webhookTraceparents(String requestId) {
        return DSL.using(dataSource, SQLDialect.POSTGRES)
                .select(WEBHOOK_DELIVERIES.TRACEPARENT)
                .from(WEBHOOK_DELIVERIES)
                .where(WEBHOOK_DELIVERIES.REQUEST_ID.eq(requestId))
                .fetch(WEBHOOK_DELIVERIES.TRACEPARENT);
    }

    @Test
    void inEveryArrivalOrderAnAskEndsVisibleTerminalOnceWithOneNotifyAndOneWebhook() throws Exception {
        String user = "orders-" + System.nanoTime();
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        record Order(String name, List<List<String>> polls) {}
        // each poll is a write of the parts named, in that order: q(uest), p(rogress), r(esult),
        // r2 (another result for the same ask, which must lose to the first one written)
        List<Order> orders = List.of(
                new Order("request, then result", List.of(List.of("q"), List.of("r"))),
                new Order("result, then request", List.of(List.of("r"), List.of("q"))),
                new Order("progress first", List.of(List.of("p"), List.of("q"), List.of("r"))),
                new Order("progress, result, then request", List.of(List.of("p"), List.of("r"), List.of("q"))),
                new Order("all in one poll", List.of(List.of("q", "p", "r"))),
                new Order("all in one poll, backwards", List.of(List.of("r", "p", "q"))),
                new Order(
                        "replays after terminal",
                        List.of(
                                List.of("q"),
                                List.of("p"),
                                List.of("r"),
                                List.of("q"),
                                List.of("p"),
                                List.of("r2"),
                                List.of("q", "p", "r2"))),
                new Order("a repeated result before the request", List.of(List.of("r"), List.of("r2"), List.of("q"))),
                new Order("a request with its result, replayed", List.of(List.of("q", "r"), List.of("q", "r"))));
        try (Announcements announcements = new Announcements()) {
            for (int i = 0; i < orders.size(); i++) {
                Order order = orders.get(i);
                String id = String.format("00000000-0000-7000-8000-0000000a%04d", i);
                AskRequest request = new AskRequest(
                        id,
                        user,
                        "k-" + id,
                        ChatRequest.ofPrompt("p", null),
                        null,
                        T0,
                        "https://hooks.example.com/" + i,
                        Map.of("order", String.valueOf(i)),
                        traceparent);
                Map<String, AskPart> named = Map.of(
                        "q", new AskPart.Request(request),
                        "p", new AskPart.Progress(new AskProgress(id, "llama", T0)),
                        "r",
                                new AskPart.Result(
                                        AskResult.succeeded(id, "dryrun", "m", "first", Usage.of(1, 1), 3, 1, T0)),
                        "r2",
                                new AskPart.Result(AskResult.failed(
                                        id, "openai", "gpt-x", new AskError(ErrorType.TIMEOUT, "late"), 9, 2, T0)));
                boolean requested = false;
                boolean resulted = false;
                boolean started = false;
                int visibleTerminal = 0;
                for (List<String> poll : order.polls()) {
                    List<FinishedAsk> finished =
                            asks.write(poll.stream().map(named::get).toList());
                    for (String part : poll) {
                        requested |= part.equals("q");
                        resulted |= part.startsWith("r");
                        started |= part.equals("p");
                    }
                    visibleTerminal += finished.size();
                    var found = asks.find(id, user);
                    if (!requested) {
                        assertThat(found)
                                .as("%s: a partial row is invisible", order.name())
                                .isEmpty();
                    } else if (!resulted) {
                        assertThat(found.orElseThrow().status())
                                .as("%s: before its result", order.name())
                                .isEqualTo(started ? AskStatus.RUNNING : AskStatus.QUEUED);
                    } else {
                        assertThat(found.orElseThrow().status())
                                .as("%s: with its request and result", order.name())
                                .isEqualTo(AskStatus.SUCCEEDED);
                        assertThat(finished)
                                .as("%s: what a write returns is what it made visible terminal", order.name())
                                .allSatisfy(f -> {
                                    assertThat(f.requestId()).isEqualTo(id);
                                    assertThat(f.status()).isEqualTo(AskStatus.SUCCEEDED);
                                    assertThat(f.completedAt()).isEqualTo(T0);
                                    assertThat(f.traceparent()).contains(traceparent);
                                });
                    }
                }
                AskView view = asks.find(id, user).orElseThrow();
                assertThat(view.result().answer())
                        .as("%s: the first result wins", order.name())
                        .isEqualTo("first");
                assertThat(view.acceptedAt()).isEqualTo(T0);
                assertThat(view.metadata()).containsEntry("order", String.valueOf(i));
                assertThat(visibleTerminal)
                        .as("%s: made visible terminal once", order.name())
                        .isEqualTo(1);
                assertThat(announcements.heard().stream().filter(id::equals))
                        .as("%s: one NOTIFY", order.name())
                        .hasSize(1);
                assertThat(webhookTraceparents(id))
                        .as("%s: one webhook, with the request's trace context", order.name())
                        .containsExactly(traceparent);
            }
        }
        assertThat(asks.list(user, null, null, 100)).hasSize(orders.size());
        assertThat(asks.usage(user).asks().succeeded()).isEqualTo(orders.size());
    }

    @Test
    void partialRowsAreInvisibleToEveryReadUntilTheirRequestComes() {
        String user = "partial-" + System.nanoTime();
        String resultFirst = "00000000-0000-7000-8000-0000000b0001";
        String progressFirst = "00000000-0000-7000-8000-0000000b0002";
        asks.write(List.of(
                new AskPart.Result(AskResult.succeeded(resultFirst, "dryrun", "m", "42", Usage.of(5, 5), 3, 1, T0)),
                new AskPart.Progress(new AskProgress(progressFirst, "llama", T0))));

        for (String id : List.of(resultFirst, progressFirst)) {
            assertThat(asks.find(id, user)).as(id).isEmpty();
        }
        assertThat(asks.list(user, null, null, 10)).isEmpty();
        assertThat(asks.list(user, AskStatus.SUCCEEDED, null, 10)).isEmpty();
        assertThat(asks.usage(user))
                .isEqualTo(new UsageView(user, new UsageView.Asks(0, 0, 0, 0, 0, 0), new UsageView.Tokens(0, 0, 0)));
        assertThat(webhookTraceparents(resultFirst)).as("no webhook owed yet").isEmpty();

        asks.upsert(new AskRequest(resultFirst, user, "k-1", "p", null, null, T0), null);
        asks.upsert(new AskRequest(progressFirst, user, "k-2", "p", null, null, T0), null);
        assertThat(asks.find(resultFirst, user).orElseThrow().status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(asks.find(progressFirst, user).orElseThrow().status()).isEqualTo(AskStatus.RUNNING);
        assertThat(asks.usage(user))
                .isEqualTo(new UsageView(user, new UsageView.Asks(2, 1, 1, 0, 0, 0), new UsageView.Tokens(5, 5, 10)));
    }

    @Test
    void partialRowsArePurgedByTheirOwnTimesAndARequestNeverRevivesThem() {
        String resultFirst = "00000000-0000-7000-8000-0000000b1001";
        String progressFirst = "00000000-0000-7000-8000-0000000b1002";
        Instant written = T0.plusSeconds(100);
        AskRepository at = new AskRepository(
                DSL.using(dataSource, SQLDialect.POSTGRES), Clock.fixed(written, ZoneOffset.UTC), KEEP_ALL);
        at.write(List.of(
                new AskPart.Result(
                        AskResult.succeeded(resultFirst, "dryrun", "m", "42", Usage.NONE, 3, 1, T0.plusSeconds(10))),
                new AskPart.Progress(new AskProgress(progressFirst, "llama", T0.plusSeconds(10)))));

        assertThat(asks.expired(T0.plusSeconds(5), 1_000)).doesNotContain(resultFirst, progressFirst);
        assertThat(asks.expired(T0.plusSeconds(50), 1_000))
                .as("a partial terminal row by when it completed; a partial running one not yet")
                .contains(resultFirst)
                .doesNotContain(progressFirst);
        List<String> due = asks.expired(written.plusSeconds(1), 1_000);
        assertThat(due).as("a partial running row by when it was last written").contains(resultFirst, progressFirst);
        assertThat(asks.delete(List.of(resultFirst, progressFirst), written.plusSeconds(1)))
                .isEqualTo(2);

        // their requests, read long after the purge: accepted before the horizon, never written anew
        Instant later = T0.plus(Duration.ofDays(40));
        AskRepository horizon = new AskRepository(
                DSL.using(dataSource, SQLDialect.POSTGRES), Clock.fixed(later, ZoneOffset.UTC), Duration.ofDays(30));
        assertThat(horizon.write(List.of(
                        new AskPart.Request(new AskRequest(resultFirst, "alice", "k-1", "p", null, null, T0)),
                        new AskPart.Request(new AskRequest(progressFirst, "alice", "k-2", "p", null, null, T0)))))
                .isEmpty();
        assertThat(asks.find(resultFirst, "alice")).isEmpty();
        assertThat(asks.find(progressFirst, "alice")).isEmpty();
    }

    @Test
    void partsPastTheRetentionPeriodAreWrittenOnlyWhereTheirRowStillExists() throws Exception {
        String user = "horizon-parts-" + System.nanoTime();
        Instant now = T0.plus(Duration.ofDays(40));
        AskRepository horizon = new AskRepository(
                DSL.using(dataSource, SQLDialect.POSTGRES), Clock.fixed(now, ZoneOffset.UTC), Duration.ofDays(30));
        String oldResult = "00000000-0000-7000-8000-0000000b2001";
        String oldProgress = "00000000-0000-7000-8000-0000000b2002";
        String waiting = "00000000-0000-7000-8000-0000000b2003";
        String freshResult = "00000000-0000-7000-8000-0000000b2004";
        // a partial row written while inside the period, whose request is read only now
        asks.write(List.of(new AskPart.Result(
                AskResult.succeeded(waiting, "dryrun", "m", "42", Usage.NONE, 1, 1, T0.plusSeconds(1)))));

        List<FinishedAsk> finished = horizon.write(List.of(
                new AskPart.Result(
                        AskResult.succeeded(oldResult, "dryrun", "m", "a", Usage.NONE, 1, 1, T0.plusSeconds(5))),
                new AskPart.Progress(new AskProgress(oldProgress, "llama", T0)),
                new AskPart.Request(new AskRequest(waiting, user, "k-w", "p", null, null, T0, "http://127.0.0.1:9/h")),
                new AskPart.Request(new AskRequest(freshResult, user, "k-f", "p", null, null, T0)),
                new AskPart.Result(
                        AskResult.succeeded(freshResult, "dryrun", "m", "b", Usage.NONE, 1, 1, now.minusSeconds(60)))));

        try (var c = dataSource.getConnection();
                var rs = c.createStatement()
                        .executeQuery("SELECT request_id, user_id FROM store.asks WHERE request_id LIKE"
                                + " '00000000-0000-7000-8000-0000000b20%' ORDER BY request_id")) {
            Map<String, String> rows = new java.util.TreeMap<>();
            while (rs.next()) {
                rows.put(rs.getString(1), String.valueOf(rs.getString(2)));
            }
            assertThat(rows)
                    .as("a result and progress past the period make no partial row; the old request of a row"
                            + " that exists completes it; a recent result is written without its old request")
                    .containsExactly(Map.entry(waiting, user), Map.entry(freshResult, "null"));
        }
        assertThat(finished).extracting(FinishedAsk::requestId).containsExactly(waiting);
        assertThat(asks.find(waiting, user).orElseThrow().status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(webhookTraceparents(waiting)).as("its webhook owed").hasSize(1);
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
                    new AskPart.Request(ask(queued)),
                    new AskPart.Request(ask(running)),
                    new AskPart.Progress(new AskProgress(running, "llama", T0)),
                    new AskPart.Request(withCallback),
                    new AskPart.Result(AskResult.succeeded(succeeded, "dryrun", "m", "42", Usage.of(1, 2), 5, 1, T0)),
                    new AskPart.Request(ask(failed)),
                    new AskPart.Result(AskResult.failed(
                            failed, "openai", "gpt-x", new AskError(ErrorType.TIMEOUT, "slow"), 9, 2, T0)),
                    new AskPart.Request(ask(alreadyDone)),
                    new AskPart.Result(
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
        asks.write(List.of(
                new AskPart.Request(withCallback),
                new AskPart.Result(AskResult.succeeded(succeeded, "dryrun", "m", "other", Usage.NONE, 1, 1, T0))));
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
        List<FinishedAsk> finished = horizon.write(List.of(
                new AskPart.Request(request.apply(purgedDone, T0)),
                new AskPart.Result(
                        AskResult.succeeded(purgedDone, "dryrun", "m", "a", Usage.NONE, 1, 1, T0.plusSeconds(5))),
                new AskPart.Request(request.apply(purgedQueued, T0)),
                new AskPart.Request(request.apply(stillQueued, T0)),
                new AskPart.Result(
                        AskResult.succeeded(stillQueued, "dryrun", "m", "late", Usage.NONE, 1, 1, T0.plusSeconds(9))),
                new AskPart.Request(request.apply(fresh, now.minusSeconds(60)))));

        assertThat(asks.find(purgedDone, user)).as("a purged terminal ask").isEmpty();
        assertThat(asks.find(purgedQueued, user)).as("a purged ask as queued").isEmpty();
        assertThat(asks.find(stillQueued, user))
                .as("a row that still exists is updated, however old")
                .get()
                .satisfies(v -> assertThat(v.status()).isEqualTo(AskStatus.SUCCEEDED));
        assertThat(asks.find(fresh, user)).as("inside the period").isPresent();
        assertThat(finished).extracting(FinishedAsk::requestId).containsExactly(stillQueued);
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
