package io.askpipe.ingest.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.ingest.validate.Expiry;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The idempotency fingerprint of a submission: SHA-256, hex-encoded, over its whole canonical
 * request (the chat body, {@code backend}, {@code callback_url}, {@code metadata} and, when sent,
 * {@code expires_after} or {@code deadline} as sent, not the deadline computed from it, and the
 * priority unless it is interactive, the default, so that sending it or not is the same) written as JSON
 * with every object's keys sorted and numbers in plain form, so that neither field order nor
 * whitespace nor how a number is spelled changes it.
 *
 * <p>An ask that versions before chat bodies could express (one user message of text, a model, a
 * backend, a callback, nothing else) is fingerprinted as they did it: over its prompt, model,
 * backend and callback URL, each with a presence byte and its length. Its fingerprint stays the one
 * the ledger holds, so a retry across an upgrade still matches its key; the two forms never
 * collide, since this one starts with a presence byte and the other with a fixed prefix.
 */
final class Fingerprint {
    /** What the canonical form's digest starts with, apart from the older form's. */
    private static final byte[] CANONICAL = "askpipe ask v2\n".getBytes(StandardCharsets.US_ASCII);

    private Fingerprint() {}

    static String of(AskSubmission submission) {
        MessageDigest digest = sha256();
        if (promptOnly(submission)) {
            for (String field : new String[] {
                submission.prompt(), submission.model(), submission.backend(), submission.callbackUrl()
            }) {
                byte[] bytes = field == null ? new byte[0] : field.getBytes(StandardCharsets.UTF_8);
                digest.update(ByteBuffer.allocate(5)
                        .put((byte) (field == null ? 0 : 1))
                        .putInt(bytes.length)
                        .array());
                digest.update(bytes);
            }
        } else {
            digest.update(CANONICAL);
            digest.update(canonicalJson(submission));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Whether {@code submission} is one user message of text with no parameter and no metadata. */
    static boolean promptOnly(AskSubmission submission) {
        ChatRequest chat = submission.chat();
        if (!submission.metadata().isEmpty()
                || submission.expiry().isPresent()
                || submission.priority() != Priority.INTERACTIVE
                || chat.messages().size() != 1) {
            return false;
        }
        ChatMessage only = chat.messages().getFirst();
        return only.role() == Role.USER
                && only.content() instanceof MessageContent.Text text
                && chat.equals(ChatRequest.ofPrompt(text.text(), chat.model()));
    }

    /** The canonical JSON of the whole request: keys sorted at every level, numbers plain. */
    static byte[] canonicalJson(AskSubmission submission) {
        ObjectNode request = Json.mapper().createObjectNode();
        request.set("chat", Json.mapper().valueToTree(submission.chat()));
        request.put("backend", submission.backend());
        request.put("callback_url", submission.callbackUrl());
        request.set("metadata", Json.mapper().valueToTree(submission.metadata()));
        // absent when not sent, so that the fingerprints of asks without them stay what they were
        submission.expiry().ifPresent(expiry -> {
            switch (expiry) {
                case Expiry.After after ->
                    request.put("expires_after", after.duration().toSeconds());
                case Expiry.At at -> request.put("deadline", at.instant().toString());
            }
        });
        if (submission.priority() != Priority.INTERACTIVE) {
            request.put("priority", submission.priority().wireName());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = Json.mapper().getFactory().createGenerator(out)) {
            write(request, generator);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory does not fail", e);
        }
        return out.toByteArray();
    }

    private static void write(JsonNode node, JsonGenerator out) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>(node.size());
                node.fieldNames().forEachRemaining(names::add);
                names.sort(null);
                out.writeStartObject();
                for (String name : names) {
                    out.writeFieldName(name);
                    write(node.get(name), out);
                }
                out.writeEndObject();
            }
            case ARRAY -> {
                out.writeStartArray();
                for (JsonNode element : node) {
                    write(element, out);
                }
                out.writeEndArray();
            }
            case NUMBER ->
                out.writeNumber(node.decimalValue().stripTrailingZeros().toPlainString());
            default -> out.writeTree(node);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
