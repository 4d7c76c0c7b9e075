package io.askpipe.ingest.batch.output;

import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.files.FileStore;
import io.askpipe.ingest.files.StoredFile;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Writes a batch's output and error files from its settled lines, in line order, each line as
 * {@link OutputLine} renders it: both files are streamed as the lines are read, never held whole.
 * A file that gets no line is abandoned rather than stored (OpenAI gives no file then); a write
 * cut short (a crash, a failure) leaves unfinished files that the files' housekeeping deletes, and
 * the next try writes anew. Thread-safe.
 */
public final class OutputFiles {
    /** The purpose of a batch's output and error files. */
    public static final String PURPOSE = "batch_output";

    private static final byte[] NEWLINE = {'\n'};

    private final FileStore files;
    private final BatchLines lines;

    public OutputFiles(FileStore files, BatchLines lines) {
        this.files = files;
        this.lines = lines;
    }

    /**
     * The files written.
     *
     * @param outputFileId the output file's id; empty when no line succeeded
     * @param errorFileId the error file's id; empty when every line succeeded
     */
    public record Written(Optional<String> outputFileId, Optional<String> errorFileId) {}

    /** Writes {@code batch}'s two files at {@code now}, to expire after its {@code output_expires_after}. */
    public Written write(Batch batch, Instant now) throws IOException {
        Optional<Instant> expiresAt = Optional.of(now.plus(batch.outputExpiresAfter()));
        try (FileStore.Writer output = files.writer(batch.userId(), PURPOSE, batch.id() + "_output.jsonl", expiresAt);
                FileStore.Writer errors =
                        files.writer(batch.userId(), PURPOSE, batch.id() + "_error.jsonl", expiresAt)) {
            long[] written = new long[2];
            try {
                lines.forEach(batch.id(), line -> {
                    OutputLine rendered = OutputLine.of(line);
                    int file = rendered.toOutput() ? 0 : 1;
                    append((rendered.toOutput() ? output : errors).stream(), rendered.json());
                    written[file]++;
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return new Written(finished(output, written[0]), finished(errors, written[1]));
        }
    }

    private static Optional<String> finished(FileStore.Writer writer, long lines) throws IOException {
        if (lines == 0) {
            return Optional.empty(); // closed unfinished: abandoned
        }
        StoredFile file = writer.finish();
        return Optional.of(file.id());
    }

    private static void append(OutputStream stream, String json) {
        try {
            stream.write(json.getBytes(StandardCharsets.UTF_8));
            stream.write(NEWLINE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
