package io.askpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.Role;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Asks of every version read; this version writes version 2. */
class AskRequestVersionsTest {
    private static final JsonSerde<AskRequest> SERDE = JsonSerde.of(AskRequest.class);
    private static final String ID = "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a";
    private static final Instant ACCEPTED = Instant.parse("2026-11-26T10:15:30.123Z");

    /** A record exactly as versions before chat bodies wrote it. */
    private static final String VERSION_1 = """
            {"request_id":"0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a","user_id":"alice","idempotency_key":"key-1",\
            "prompt":"Why is the sky blue?","model":"gpt-4o","accepted_at":"2026-11-26T10:15:30.123Z",\
            "callback_url":"https://hooks.example.com/a?b=1",\
            "traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}""";

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRecordOfVersionOneReadsAsOneUserMessageWithItsPromptAndModel() throws Exception {
        AskRequest ask = SERDE.deserialize("ask.requests", bytes(VERSION_1));

        assertThat(ask.prompt()).isEqualTo("Why is the sky blue?");
        assertThat(ask.model()).isEqualTo("gpt-4o");
        assertThat(ask.chat().messages()).containsExactly(ChatMessage.user("Why is the sky blue?"));
        assertThat(ask.chat()).isEqualTo(ChatRequest.ofPrompt("Why is the sky blue?", "gpt-4o"));
        assertThat(ask.metadata()).isEmpty();
        assertThat(ask)
                .isEqualTo(new AskRequest(
                        ID,
                        "alice",
                        "key-1",
                        "Why is the sky blue?",
                        "gpt-4o",
                        null,
                        ACCEPTED,
                        "https://hooks.example.com/a?b=1",
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assertThat(JsonSchemaFiles.schema("ask-request.schema.json")
                        .validate(Json.mapper().readTree(VERSION_1)))
                .as("the schema still describes version 1")
                .isEmpty();
    }

    @Test
    void aRecordOfVersionOneWithoutAModelAsksForTheBackendsDefault() {
        AskRequest ask = SERDE.deserialize(
                "ask.requests",
                bytes("{\"request_id\":\"r1\",\"user_id\":\"u1\",\"idempotency_key\":\"k1\",\"prompt\":\"hi\","
                        + "\"backend\":\"dryrun\",\"accepted_at\":\"2026-11-26T10:15:30Z\"}"));

        assertThat(ask.model()).isNull();
        assertThat(ask.backend()).isEqualTo("dryrun");
        assertThat(ask.prompt()).isEqualTo("hi");
    }

    @Test
    void aRecordOfVersionOneIsWrittenBackAsVersionTwo() throws Exception {
        AskRequest ask = SERDE.deserialize("ask.requests", bytes(VERSION_1));

        JsonNode written = Json.mapper().readTree(SERDE.serialize("ask.requests", ask));

        assertThat(written.get("schema_version").asInt()).isEqualTo(2);
        assertThat(written.has("prompt")).isFalse();
        assertThat(written.has("model")).isFalse();
        assertThat(written.at("/chat/model").asText()).isEqualTo("gpt-4o");
        assertThat(written.at("/chat/messages/0/role").asText()).isEqualTo("user");
        assertThat(written.at("/chat/messages/0/content").asText()).isEqualTo("Why is the sky blue?");
        assertThat(JsonSchemaFiles.schema("ask-request.schema.json").validate(written))
                .isEmpty();
        assertThat(SERDE.deserialize("ask.requests", SERDE.serialize("t", ask))).isEqualTo(ask);
    }

    @Test
    void aRecordOfVersionOneWithoutAPromptIsUnreadableAndInvalid() throws Exception {
        ObjectNode withoutPrompt = (ObjectNode) Json.mapper().readTree(VERSION_1);
        withoutPrompt.remove("prompt");

        assertThatThrownBy(() -> SERDE.deserialize("ask.requests", Json.mapper().writeValueAsBytes(withoutPrompt)))
                .isInstanceOf(SerializationException.class);
        assertThat(JsonSchemaFiles.schema("ask-request.schema.json").validate(withoutPrompt))
                .isNotEmpty();
    }

    @Test
    void aRecordOfVersionTwoWithoutAChatIsUnreadable() {
        assertThatThrownBy(() -> SERDE.deserialize(
                        "ask.requests",
                        bytes(
                                "{\"schema_version\":2,\"request_id\":\"r1\",\"user_id\":\"u1\",\"idempotency_key\":\"k1\","
                                        + "\"prompt\":\"hi\",\"accepted_at\":\"2026-11-26T10:15:30Z\"}")))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void aRecordOfANewerVersionIsRefusedNotMisread() {
        assertThatThrownBy(() -> SERDE.deserialize(
                        "ask.requests",
                        bytes(
                                "{\"schema_version\":3,\"request_id\":\"r1\",\"user_id\":\"u1\",\"idempotency_key\":\"k1\","
                                        + "\"chat\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]},"
                                        + "\"accepted_at\":\"2026-11-26T10:15:30Z\"}")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema_version 3");
    }

    @Test
    void promptIsTheTextOfTheLastUserMessage() {
        ChatRequest chat = ChatRequest.builder(List.of(
                        ChatMessage.system("Be brief."),
                        ChatMessage.user("first"),
                        ChatMessage.assistant("an answer"),
                        ChatMessage.user("second"),
                        ChatMessage.assistant("another")))
                .build();
        AskRequest ask = new AskRequest("r1", "u1", "k1", chat, null, ACCEPTED);

        assertThat(ask.prompt()).isEqualTo("second");
        assertThat(new AskRequest(
                                "r1",
                                "u1",
                                "k1",
                                ChatRequest.builder(List.of(ChatMessage.system("only a system prompt")))
                                        .build(),
                                null,
                                ACCEPTED)
                        .prompt())
                .as("no user message")
                .isEmpty();
        assertThat(ChatMessage.of(Role.DEVELOPER, "x").text()).isEqualTo("x");
    }

    @Test
    void metadataIsKeptInKeyOrderAndLeftOutWhenEmpty() throws Exception {
        AskRequest labelled = new AskRequest(
                "r1",
                "u1",
                "k1",
                ChatRequest.ofPrompt("hi", null),
                null,
                ACCEPTED,
                null,
                Map.of("team", "search", "env", "prod"),
                null);
        AskRequest plain = new AskRequest("r1", "u1", "k1", "hi", null, null, ACCEPTED);

        assertThat(Json.mapper().writeValueAsString(labelled))
                .contains("\"metadata\":{\"env\":\"prod\",\"team\":\"search\"}");
        assertThat(Json.mapper().valueToTree(plain).has("metadata")).isFalse();
        assertThat(SERDE.deserialize("t", SERDE.serialize("t", labelled))).isEqualTo(labelled);
    }

    @Test
    void aDeadlineIsWrittenAndReadBackAndMatchesTheSchema() throws Exception {
        Instant deadline = Instant.parse("2026-11-26T10:16:30.123Z");
        AskRequest ask = new AskRequest("r1", "u1", "k1", ChatRequest.ofPrompt("hi", null), null, ACCEPTED)
                .withDeadline(deadline);

        JsonNode written = Json.mapper().readTree(SERDE.serialize("ask.requests", ask));

        assertThat(written.get("schema_version").asInt()).isEqualTo(2);
        assertThat(written.get("deadline").asText()).isEqualTo("2026-11-26T10:16:30.123Z");
        assertThat(SERDE.deserialize("ask.requests", SERDE.serialize("t", ask)).deadline())
                .contains(deadline);
        assertThat(JsonSchemaFiles.schema("ask-request.schema.json").validate(written))
                .isEmpty();
    }

    @Test
    void aRecordWithoutADeadlineHasNoneAndWritesNone() throws Exception {
        AskRequest ask = SERDE.deserialize("ask.requests", bytes(VERSION_1));
        AskRequest plain = new AskRequest("r1", "u1", "k1", "hi", null, null, ACCEPTED);

        assertThat(ask.deadline()).isEmpty();
        assertThat(plain.deadline()).isEmpty();
        assertThat(Json.mapper().valueToTree(plain).has("deadline")).isFalse();
    }

    @Test
    void aRecordOfVersionOneWithADeadlineIsInvalid() throws Exception {
        ObjectNode withDeadline = (ObjectNode) Json.mapper().readTree(VERSION_1);
        withDeadline.put("deadline", "2026-11-26T10:16:30Z");

        assertThat(JsonSchemaFiles.schema("ask-request.schema.json").validate(withDeadline))
                .as("version 1 predates deadlines")
                .isNotEmpty();
    }

    @Test
    void aBatchAskSaysSoAndAnInteractiveOneWritesNoPriority() throws Exception {
        AskRequest interactive = new AskRequest("r1", "u1", "k1", ChatRequest.ofPrompt("hi", null), null, ACCEPTED);
        AskRequest batch = interactive.withPriority(Priority.BATCH);

        JsonNode written = Json.mapper().readTree(SERDE.serialize("ask.requests", batch));

        assertThat(written.get("priority").asText()).isEqualTo("batch");
        assertThat(Json.mapper().valueToTree(interactive).has("priority")).isFalse();
        assertThat(SERDE.deserialize("t", SERDE.serialize("t", batch)).priority())
                .isEqualTo(Priority.BATCH);
        assertThat(SERDE.deserialize("t", bytes(VERSION_1)).priority())
                .as("asks written before priorities existed are interactive")
                .isEqualTo(Priority.INTERACTIVE);
        assertThat(JsonSchemaFiles.schema("ask-request.schema.json").validate(written))
                .isEmpty();
    }
}
