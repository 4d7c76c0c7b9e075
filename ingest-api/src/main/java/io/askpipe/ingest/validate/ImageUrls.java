package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.schemas.chat.ContentPart;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an {@code image_url} part's object: an {@code https:} URL with a host, or an image inline
 * as {@code data:image/(png|jpeg|gif|webp);base64,...}, the forms every backend here can take.
 */
final class ImageUrls {
    private static final Pattern DATA = Pattern.compile("data:image/(png|jpeg|gif|webp);base64,");
    private static final Set<String> DETAILS = Set.of("auto", "low", "high");
    private static final int MAX_URL_CHARS = 2048;

    ContentPart.ImageUrl read(JsonNode node, Pointer at) {
        Values.object(node, at);
        Values.onlyMembers(node, at, Set.of("url", "detail"));
        Pointer urlAt = at.field("url");
        String url = Values.string(Values.required(node, "url", at), urlAt);
        if (url.startsWith("data:")) {
            checkData(url, urlAt);
        } else {
            checkHttps(url, urlAt);
        }
        Pointer detailAt = at.field("detail");
        String detail = Values.member(node, "detail")
                .map(value -> Values.string(value, detailAt))
                .orElse(null);
        if (detail != null && !DETAILS.contains(detail)) {
            throw detailAt.invalid("must be auto, low or high");
        }
        return new ContentPart.ImageUrl(url, detail);
    }

    private static void checkData(String url, Pointer at) {
        var prefix = DATA.matcher(url);
        if (!prefix.lookingAt()) {
            throw at.invalid("must be an https: URL or data:image/(png|jpeg|gif|webp);base64,...");
        }
        if (!isBase64(url, prefix.end())) {
            throw at.invalid("must carry the image as base64 after data:image/...;base64,");
        }
    }

    private static void checkHttps(String url, Pointer at) {
        if (url.length() > MAX_URL_CHARS) {
            throw at.invalid("must be at most " + MAX_URL_CHARS + " characters, or the image inline as a data: URL");
        }
        try {
            URI uri = new URI(url);
            if ("https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
                return;
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        throw at.invalid("must be an https: URL or data:image/(png|jpeg|gif|webp);base64,...");
    }

    /** Whether {@code text} from {@code start} is padded base64 of at least one byte. */
    private static boolean isBase64(String text, int start) {
        int length = text.length() - start;
        if (length == 0 || length % 4 != 0) {
            return false;
        }
        int padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
        for (int i = start; i < text.length() - padding; i++) {
            char c = text.charAt(i);
            boolean valid =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!valid) {
                return false;
            }
        }
        return true;
    }
}
