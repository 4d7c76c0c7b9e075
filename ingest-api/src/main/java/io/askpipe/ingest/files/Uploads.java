package io.askpipe.ingest.files;

import io.askpipe.auth.BearerAuth;
import io.askpipe.common.http.BodyLimit;
import io.askpipe.common.http.ProblemType;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /v1/files}: a multipart form whose field {@code file} is spooled by Vert.x to a
 * temporary file (never into the heap), then copied into the store for the caller, its lines
 * counted on the way. A file over {@code BATCH_MAX_FILE_BYTES} or {@code BATCH_MAX_LINES} is
 * refused and nothing of it stays stored; the temporary file is deleted in every case.
 */
final class Uploads {
    /** The one purpose an upload may have: input of a batch. */
    static final String BATCH = "batch";
    /** Room around the file in the form: its framing, the field {@code purpose}. */
    private static final long FORM_BYTES = 64 * 1024;

    private static final int COPY_BYTES = 64 * 1024;

    private final FileStore store;
    private final FileSettings settings;
    private final OffLoop offLoop;
    private final Clock clock;
    private final BodyHandler body;

    /** Uploads into {@code store}, spooled in {@code spool}, a directory of this process's own. */
    Uploads(FileStore store, FileSettings settings, Path spool, OffLoop offLoop, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.offLoop = offLoop;
        this.clock = clock;
        this.body = BodyLimit.of(settings.maxFileBytes() + FORM_BYTES)
                .setHandleFileUploads(true)
                .setUploadsDirectory(spool.toString())
                .setDeleteUploadedFilesOnEnd(true);
    }

    /** Reads the form, its file to disk, then hands on; a body of another type is refused unread. */
    void receive(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            OffLoop.fail(
                    ctx,
                    new Refusal(
                            ProblemType.UNSUPPORTED_MEDIA_TYPE,
                            null,
                            "POST /v1/files takes multipart/form-data with the fields 'file' and 'purpose'"));
            return;
        }
        body.handle(ctx);
    }

    /** Stores the form's file for its caller and answers its file object. */
    void store(RoutingContext ctx) {
        String userId = BearerAuth.caller(ctx).userId();
        String purpose = ctx.request().getFormAttribute("purpose");
        Optional<FileUpload> file = ctx.fileUploads().stream()
                .filter(upload -> upload.name().equals("file"))
                .findFirst();
        offLoop.run(
                ctx,
                () -> stored(userId, purpose, file),
                (answered, stored) -> FileJson.respond(answered, FileJson.FileObject.of(stored)));
    }

    private StoredFile stored(String userId, String purpose, Optional<FileUpload> upload) throws IOException {
        try {
            if (purpose == null || purpose.isBlank()) {
                throw new Refusal(
                        ProblemType.MALFORMED_REQUEST, "purpose", "Missing required parameter: 'purpose' ('batch')");
            }
            if (!purpose.equals(BATCH)) {
                throw new Refusal(
                        ProblemType.MALFORMED_REQUEST,
                        "purpose",
                        "Invalid value for 'purpose': askpipe stores files for batches only ('batch')");
            }
            FileUpload file = upload.orElseThrow(() -> new Refusal(
                    ProblemType.MALFORMED_REQUEST, "file", "Missing required parameter: 'file' (the file's content)"));
            if (file.size() > settings.maxFileBytes()) {
                throw new Refusal(
                        ProblemType.PAYLOAD_TOO_LARGE,
                        "file",
                        "The file is " + file.size() + " bytes, over the limit of " + settings.maxFileBytes()
                                + " bytes (BATCH_MAX_FILE_BYTES)");
            }
            return copy(userId, purpose, file);
        } finally {
            if (upload.isPresent()) {
                Files.deleteIfExists(Path.of(upload.get().uploadedFileName()));
            }
        }
    }

    /** Copies the spooled {@code file} into the store, refusing it at its first line too many. */
    private StoredFile copy(String userId, String purpose, FileUpload file) throws IOException {
        String filename = file.fileName() == null || file.fileName().isBlank() ? "file" : file.fileName();
        try (InputStream in = Files.newInputStream(Path.of(file.uploadedFileName()));
                FileStore.Writer writer = store.writer(
                        userId, purpose, filename, Optional.of(clock.instant().plus(settings.retention())))) {
            LineCounter counter = new LineCounter();
            byte[] buffer = new byte[COPY_BYTES];
            for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                counter.add(buffer, 0, n);
                if (counter.lines() > settings.maxLines()) {
                    throw new Refusal(
                            ProblemType.MALFORMED_REQUEST,
                            "file",
                            "The file has more than " + settings.maxLines()
                                    + " lines, the most a batch's input may have (BATCH_MAX_LINES)");
                }
                writer.stream().write(buffer, 0, n);
            }
            return writer.finish();
        }
    }
}
