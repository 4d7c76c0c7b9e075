package io.askpipe.ingest.files;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.schemas.Json;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;

/** The JSON that {@code /v1/files} answers with, in OpenAI's shapes, and how it is sent. */
final class FileJson {
    private FileJson() {}

    /**
     * OpenAI's file object; times in unix seconds.
     *
     * @param expiresAt {@code null} for a file that never expires
     */
    record FileObject(
            String id,
            String object,
            long bytes,
            long createdAt,
            String filename,
            String purpose,
            String status,
            @JsonInclude(JsonInclude.Include.ALWAYS) Long expiresAt) {
        static FileObject of(StoredFile file) {
            return new FileObject(
                    file.id(),
                    "file",
                    file.bytes(),
                    file.createdAt().getEpochSecond(),
                    file.filename(),
                    file.purpose(),
                    "processed",
                    file.expiresAt().map(Instant::getEpochSecond).orElse(null));
        }
    }

    /** OpenAI's list of files; the ids are {@code null} for an empty page. */
    record FileList(
            String object,
            List<FileObject> data,
            @JsonInclude(JsonInclude.Include.ALWAYS) String firstId,
            @JsonInclude(JsonInclude.Include.ALWAYS) String lastId,
            boolean hasMore) {
        static FileList of(FilePage page) {
            List<FileObject> data = page.files().stream().map(FileObject::of).toList();
            return new FileList(
                    "list",
                    data,
                    data.isEmpty() ? null : data.getFirst().id(),
                    data.isEmpty() ? null : data.getLast().id(),
                    page.hasMore());
        }
    }

    /** OpenAI's answer to a deletion. */
    record Deleted(String id, String object, boolean deleted) {
        static Deleted of(String id) {
            return new Deleted(id, "file", true);
        }
    }

    /** Answers {@code body} as JSON with 200. */
    static void respond(RoutingContext ctx, Object body) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a file's JSON always serializes", e);
        }
        ctx.response()
                .setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(json);
    }
}
