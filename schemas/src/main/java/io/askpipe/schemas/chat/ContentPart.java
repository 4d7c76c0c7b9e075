package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * One part of a message's content: {@code {"type": "text", "text": ...}} or {@code {"type":
 * "image_url", "image_url": {"url": ..., "detail": ...}}}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ContentPart.Text.class, name = "text"),
    @JsonSubTypes.Type(value = ContentPart.Image.class, name = "image_url")
})
public sealed interface ContentPart permits ContentPart.Text, ContentPart.Image {

    /** A part of text. */
    record Text(String text) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An image, by an {@code https:} URL or inline as a {@code data:image/...;base64,} URL. */
    record Image(ImageUrl imageUrl) implements ContentPart {
        public Image {
            Objects.requireNonNull(imageUrl, "imageUrl");
        }

        /** The image at {@code url}, at the backend's default detail. */
        public static Image of(String url) {
            return new Image(new ImageUrl(url, null));
        }
    }

    /**
     * Where an image is, and how closely to look at it.
     *
     * @param url an {@code https:} or {@code data:image/...;base64,} URL
     * @param detail {@code auto}, {@code low} or {@code high}; {@code null} for the backend's default
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ImageUrl(String url, String detail) {
        public ImageUrl {
            Objects.requireNonNull(url, "url");
        }
    }
}
