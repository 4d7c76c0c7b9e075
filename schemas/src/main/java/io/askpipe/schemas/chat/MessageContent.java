package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A message's content as OpenAI writes it: a string, or a list of {@link ContentPart}s. Kept in the
 * form the client chose, so that what reaches a backend is what was sent.
 */
@JsonDeserialize(using = MessageContent.Reader.class)
public sealed interface MessageContent permits MessageContent.Text, MessageContent.Parts {

    /** The text of the content: the string, or the text parts joined by line breaks. */
    String text();

    /** Content that is a string. */
    static MessageContent of(String text) {
        return new Text(text);
    }

    /** Content that is a string; on the wire, the string itself. */
    record Text(@JsonValue String text) implements MessageContent {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Content that is a list of parts; on the wire, the array of them. */
    record Parts(@JsonValue List<ContentPart> parts) implements MessageContent {
        public Parts {
            parts = List.copyOf(parts);
        }

        @Override
        public String text() {
            return parts.stream()
                    .filter(ContentPart.Text.class::isInstance)
                    .map(part -> ((ContentPart.Text) part).text())
                    .collect(Collectors.joining("\n"));
        }
    }

    /** Reads a string as {@link Text} and an array as {@link Parts}. */
    final class Reader extends StdDeserializer<MessageContent> {
        Reader() {
            super(MessageContent.class);
        }

        @Override
        public MessageContent deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_STRING) {
                return new Text(parser.getText());
            }
            if (parser.currentToken() == JsonToken.START_ARRAY) {
                JavaType parts = context.getTypeFactory().constructCollectionType(List.class, ContentPart.class);
                return new Parts(context.readValue(parser, parts));
            }
            return (MessageContent) context.handleUnexpectedToken(
                    MessageContent.class, parser.currentToken(), parser, "content is a string or an array of parts");
        }
    }
}
