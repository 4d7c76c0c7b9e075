package io.askpipe.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.config.Env;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The idempotency fingerprint covers the whole canonical request, and nothing of how it was written. */
class FingerprintTest {
    private static final IngestLimits LIMITS =
            new IngestLimits(1 << 20, 10_000, BackendCatalog.fromEnv(Env.of(Map.of("ASKPIPE_MODELS", "*"))));
    private static final CallbackPolicy CALLBACKS =
            new CallbackPolicy(false, List.of(), host -> new InetAddress[] {InetAddress.getByName("93.184.215.14")});

    private static final Instant NOW = Instant.parse("2026-12-07T14:00:00Z");

    private static String of(String body) {
        return AskSubmission.parse(body, LIMITS, CALLBACKS, NOW).fingerprint();
    }

    private static final String CHAT = """
            {"model": "gpt-4o-mini",
             "messages": [{"role": "system", "content": "Be terse."},
                          {"role": "user", "content": [{"type": "text", "text": "Weather in Oslo?"}]}],
             "temperature": 0.2, "stop": ["END"], "seed": 7,
             "tools": [{"type": "function", "function": {"name": "get_weather",
                        "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 64}}}}}],
             "tool_choice": "auto",
             "metadata": {"team": "search", "env": "prod"},
             "callback_url": "https://hooks.example.com/a"}""";

    @Test
    void theSameRequestWrittenAnotherWayHasTheSameFingerprint() {
        String reordered = """
                {"callback_url": "https://hooks.example.com/a",
                 "metadata": {"env": "prod", "team": "search"},
                 "tool_choice": "auto",
                 "tools": [{"function": {"parameters": {"properties": {"city": {"maxLength": 64.0, "type": "string"}},
                            "type": "object"}, "name": "get_weather"}, "type": "function"}],
                 "seed": 7, "stop": "END", "temperature": 0.20,
                 "messages": [{"content": "Be terse.", "role": "system"},
                              {"content": [{"text": "Weather in Oslo?", "type": "text"}], "role": "user"}],
                 "model": "gpt-4o-mini", "stream": false}""";

        assertThat(of(reordered)).isEqualTo(of(CHAT)).matches("[0-9a-f]{64}");
    }

    @Test
    void anyChangeToTheRequestChangesIt() {
        String fingerprint = of(CHAT);

        for (String[] change : new String[][] {
            {"\"temperature\": 0.2", "\"temperature\": 0.3"},
            {"\"seed\": 7", "\"seed\": 8"},
            {"\"stop\": [\"END\"]", "\"stop\": [\"END\", \"STOP\"]"},
            {"\"tool_choice\": \"auto\"", "\"tool_choice\": \"required\""},
            {"\"maxLength\": 64", "\"maxLength\": 65"},
            {"Be terse.", "Be brief."},
            {"\"role\": \"system\"", "\"role\": \"developer\""},
            {"\"env\": \"prod\"", "\"env\": \"staging\""},
            {"hooks.example.com/a", "hooks.example.com/b"},
            {"\"model\": \"gpt-4o-mini\",", "\"model\": \"gpt-4o-mini\", \"backend\": \"openai\","},
        }) {
            assertThat(CHAT).contains(change[0]);
            assertThat(of(CHAT.replace(change[0], change[1]))).as(change[1]).isNotEqualTo(fingerprint);
        }
    }

    @Test
    void aPromptAndOneUserMessageOfItAreTheSameAsk() {
        assertThat(of("{\"prompt\": \"hi\", \"model\": \"m\"}"))
                .isEqualTo(of("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
        assertThat(of("{\"prompt\": \"hi\"}"))
                .as("text parts are kept as sent")
                .isNotEqualTo(
                        of(
                                "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"hi\"}]}]}"));
    }

    @Test
    void anAskOfTheOlderFormKeepsTheFingerprintTheLedgerHolds() {
        // SHA-256 of each field as a presence byte, its length and its UTF-8 bytes, as ingest computed
        // it before chat bodies; keys claimed before an upgrade still match their retries after it
        assertThat(of("{\"prompt\": \"Why is the sky blue?\", \"model\": \"gpt-4o\"}"))
                .isEqualTo("4d0fba22d27ebd7fdb9c9ef6500d9f5b2608ef0c36a00e2755c19d18271b3733");
        assertThat(new AskSubmission("lost?", null, null, null).fingerprint())
                .isEqualTo("ec1417e4fd08f242a8f1d69045617486224b32de1cb78224cc4e1bcb7b2055c6");
        assertThat(Fingerprint.promptOnly(
                        AskSubmission.parse("{\"prompt\": \"hi\", \"n\": 1}", LIMITS, CALLBACKS, NOW)))
                .as("a parameter makes it a chat ask")
                .isFalse();
        assertThat(Fingerprint.promptOnly(AskSubmission.parse(
                        "{\"prompt\": \"hi\", \"metadata\": {\"a\": \"b\"}}", LIMITS, CALLBACKS, NOW)))
                .as("so does metadata")
                .isFalse();
    }

    @Test
    void theCanonicalFormSortsKeysAtEveryLevel() {
        String json = new String(
                Fingerprint.canonicalJson(AskSubmission.parse(
                        "{\"prompt\": \"hi\", \"temperature\": 1, \"metadata\": {\"b\": \"2\", \"a\": \"1\"}}",
                        LIMITS,
                        CALLBACKS,
                        NOW)),
                java.nio.charset.StandardCharsets.UTF_8);

        assertThat(json)
                .isEqualTo("{\"backend\":null,\"callback_url\":null,"
                        + "\"chat\":{\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}],\"temperature\":1},"
                        + "\"metadata\":{\"a\":\"1\",\"b\":\"2\"}}");
    }

    @Test
    void theExpiryAsSentIsPartOfTheFingerprint() {
        String plain = of("{\"prompt\": \"hi\"}");
        String inAMinute = of("{\"prompt\": \"hi\", \"expires_after\": 60}");

        assertThat(inAMinute).isNotEqualTo(plain);
        assertThat(of("{\"expires_after\": 60, \"prompt\": \"hi\"}"))
                .as("a retry of the same body matches")
                .isEqualTo(inAMinute);
        assertThat(of("{\"prompt\": \"hi\", \"expires_after\": 60.0}"))
                .as("however the number is spelled")
                .isEqualTo(inAMinute);
        assertThat(of("{\"prompt\": \"hi\", \"expires_after\": 61}")).isNotEqualTo(inAMinute);
        String atThree = of("{\"prompt\": \"hi\", \"deadline\": \"2026-12-07T15:00:00Z\"}");
        assertThat(atThree).isNotEqualTo(plain).isNotEqualTo(inAMinute);
        assertThat(of("{\"prompt\": \"hi\", \"deadline\": \"2026-12-07T16:00:00+01:00\"}"))
                .as("the same moment with another offset")
                .isEqualTo(atThree);
        assertThat(of("{\"prompt\": \"hi\", \"deadline\": \"2026-12-07T15:00:01Z\"}"))
                .isNotEqualTo(atThree);
        assertThat(of("{\"prompt\": \"hi\", \"expires_after\": null}"))
                .as("null is absent: the older form's fingerprint")
                .isEqualTo(plain);
    }

    @Test
    void theCanonicalFormHoldsTheExpiryAsSent() {
        assertThat(new String(
                        Fingerprint.canonicalJson(AskSubmission.parse(
                                "{\"prompt\": \"hi\", \"expires_after\": 60}", LIMITS, CALLBACKS, NOW)),
                        java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"backend\":null,\"callback_url\":null,"
                        + "\"chat\":{\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}]},"
                        + "\"expires_after\":60,\"metadata\":{}}");
        assertThat(new String(
                        Fingerprint.canonicalJson(AskSubmission.parse(
                                "{\"prompt\": \"hi\", \"deadline\": \"2026-12-07T16:00:00+01:00\"}",
                                LIMITS,
                                CALLBACKS,
                                NOW)),
                        java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"deadline\":\"2026-12-07T15:00:00Z\"");
    }

    @Test
    void aBatchPriorityIsPartOfTheFingerprintAndInteractiveIsTheDefault() {
        String plain = of("{\"prompt\": \"hi\"}");
        String batch = of("{\"prompt\": \"hi\", \"priority\": \"batch\"}");

        assertThat(batch).isNotEqualTo(plain);
        assertThat(of("{\"priority\": \"batch\", \"prompt\": \"hi\"}")).isEqualTo(batch);
        assertThat(of("{\"prompt\": \"hi\", \"priority\": \"interactive\"}"))
                .as("the default said out loud: the older form's fingerprint")
                .isEqualTo(plain);
        assertThat(of("{\"prompt\": \"hi\", \"priority\": null}")).isEqualTo(plain);
        assertThat(new String(
                        Fingerprint.canonicalJson(AskSubmission.parse(
                                "{\"prompt\": \"hi\", \"priority\": \"batch\"}", LIMITS, CALLBACKS, NOW)),
                        java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"priority\":\"batch\"");
    }
}
