package io.askpipe.bench.cost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.ingest.api.RequestIds;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.FinishReason;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The asks of one run and a result for each, made as the pipeline makes them: request ids from
 * ingest's generator (UUIDv7: time-ordered, so that the tables' indexes grow as in production), a chat
 * body of a system and a user message, metadata and a trace context, and a successful result with
 * the assistant's whole reply. Every ask is about {@code recordBytes} long as JSON on {@code
 * ask.requests} (its timestamp's digits vary), its user message padded to that size; no ask has a
 * callback URL (the common case:
 * a webhook adds an outbox row that no step here measures).
 */
final class Asks {
    static final String USER_ID = "5b0d7c2e-3f41-4a8e-9c6d-1e2f3a4b5c6d";
    static final String MODEL = "gpt-4o-mini";

    private static final String SYSTEM = "You are a careful reviewer of Java services. Answer briefly.";
    private static final String PROMPT = "Summarize the risks of committing Kafka consumer offsets before"
            + " the database transaction commits, and suggest a change that keeps exactly one row per message.";
    private static final String FILLER = " Context follows as plain words for the model to weigh.";
    private static final String ANSWER = "- **Lost messages.** If the offsets are committed first and the"
            + " process dies before the transaction commits, the consumer restarts after those messages:"
            + " they are never written, and nothing reports it.\n"
            + "- **Crash window.** Between `commitSync()` and `COMMIT` a kill -9, an OOM or a rebalance"
            + " leaves the group ahead of the table; the gap grows with the batch size.\n"
            + "- **Fix: store the offset with the data.** Write the rows and the partition\u2019s next"
            + " offset in the same transaction, and on assignment seek to what the table says.\n"
            + "- **Alternatively** commit offsets only after the transaction and make the write"
            + " idempotent on the message\u2019s key: at-least-once delivery with an idempotent sink"
            + " gives one row per message \u2014 na\u00efve retries become harmless.";
    private static final Map<String, String> METADATA = Map.of("tenant", "acme", "job", "cost-model");
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private final List<AskRequest> requests;
    private final List<AskResult> results;
    private final List<String> fingerprints;

    private Asks(List<AskRequest> requests, List<AskResult> results, List<String> fingerprints) {
        this.requests = requests;
        this.results = results;
        this.fingerprints = fingerprints;
    }

    /** {@code count} asks of {@code recordBytes} each (or of the least an ask takes, if more), and their results. */
    static Asks of(int count, int recordBytes, Clock clock) {
        AskRequest bare = ask(RequestIds.next(clock).toString(), 0, PROMPT, clock.instant());
        String userText = PROMPT + padding(recordBytes - bytes(bare));
        List<AskRequest> requests = new ArrayList<>(count);
        List<AskResult> results = new ArrayList<>(count);
        List<String> fingerprints = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant now = clock.instant();
            String id = RequestIds.next(clock).toString();
            requests.add(ask(id, i, userText, now));
            results.add(AskResult.succeeded(id, "openai", MODEL, ANSWER, Usage.of(96, 284), 1745, 1, now)
                    .withReply(ChatMessage.assistant(ANSWER), FinishReason.STOP, "fp_44709d6fcb"));
            fingerprints.add(sha256(id));
        }
        return new Asks(requests, results, fingerprints);
    }

    int count() {
        return requests.size();
    }

    AskRequest request(int i) {
        return requests.get(i);
    }

    AskResult result(int i) {
        return results.get(i);
    }

    /** The idempotency fingerprint ingest would have computed for ask {@code i}'s body (64 hex digits). */
    String fingerprint(int i) {
        return fingerprints.get(i);
    }

    /** The body a client POSTs to {@code /v1/ask} for these asks: the chat body, with the ask's metadata. */
    byte[] clientBody() {
        AskRequest ask = requests.getFirst();
        try {
            ObjectNode body = Json.mapper().valueToTree(ask.chat());
            body.set("metadata", Json.mapper().valueToTree(METADATA));
            return Json.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static AskRequest ask(String id, int index, String userText, Instant now) {
        ChatRequest chat = ChatRequest.builder(List.of(ChatMessage.system(SYSTEM), ChatMessage.user(userText)))
                .model(MODEL)
                .temperature(0.2)
                .maxTokens(400)
                .build();
        return new AskRequest(
                id, USER_ID, String.format("cost-%08d", index), chat, null, now, null, METADATA, TRACEPARENT);
    }

    /** Words of plain ASCII, {@code bytes} long (none if not positive). */
    static String padding(int bytes) {
        StringBuilder text = new StringBuilder(Math.max(0, bytes));
        while (text.length() < bytes) {
            text.append(FILLER);
        }
        return text.substring(0, Math.max(0, bytes));
    }

    /** The size of {@code ask} as JSON on its topic. */
    static int bytes(AskRequest ask) {
        try {
            return Json.mapper().writeValueAsBytes(ask).length;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
