package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation, as OpenAI's chat completions write it. Which fields a role may
 * carry is ingest's to check; the record only keeps what was sent.
 *
 * @param role who it is from
 * @param content its text or parts; {@code null} for an assistant message that only calls tools
 * @param name the participant's name, or {@code null}
 * @param toolCalls the tools an assistant message calls, or {@code null}
 * @param toolCallId for a {@link Role#TOOL} message, the id of the call it answers; else {@code
 *     null}
 * @param refusal for an assistant message, why the model refused; else {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(
        Role role, MessageContent content, String name, List<ToolCall> toolCalls, String toolCallId, String refusal) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null || toolCalls.isEmpty() ? null : List.copyOf(toolCalls);
    }

    /** A message of {@code role} with the string {@code text}. */
    public static ChatMessage of(Role role, String text) {
        return new ChatMessage(role, MessageContent.of(text), null, null, null, null);
    }

    /** A user message with the string {@code text}. */
    public static ChatMessage user(String text) {
        return of(Role.USER, text);
    }

    /** A system message with the string {@code text}. */
    public static ChatMessage system(String text) {
        return of(Role.SYSTEM, text);
    }

    /** An assistant message with the string {@code text}. */
    public static ChatMessage assistant(String text) {
        return of(Role.ASSISTANT, text);
    }

    /** An assistant message that calls {@code toolCalls}, without text. */
    public static ChatMessage assistant(List<ToolCall> toolCalls) {
        return new ChatMessage(Role.ASSISTANT, null, null, toolCalls, null, null);
    }

    /** The answer {@code text} of the tool call {@code toolCallId}. */
    public static ChatMessage tool(String toolCallId, String text) {
        return new ChatMessage(
                Role.TOOL, MessageContent.of(text), null, null, Objects.requireNonNull(toolCallId), null);
    }

    /** The text of the content; empty when there is none. */
    @JsonIgnore
    public String text() {
        return content == null ? "" : content.text();
    }
}
