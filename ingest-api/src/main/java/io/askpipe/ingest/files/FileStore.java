package io.askpipe.ingest.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Optional;

/**
 * Users' files, stored in PostgreSQL in chunks and written and read as streams: a file is never
 * held whole in a heap. A user sees only their own files, and none past its expiry.
 */
public interface FileStore {
    /** Stores all of {@code content} as a new file of {@code userId}, chunk by chunk. */
    StoredFile create(String userId, String purpose, String filename, InputStream content, Optional<Instant> expiresAt)
            throws IOException;

    /**
     * A new file of {@code userId} being written: nobody sees it until {@link Writer#finish()}
     * returned; one closed unfinished (or left by a crash) is deleted later.
     */
    Writer writer(String userId, String purpose, String filename, Optional<Instant> expiresAt);

    /** The file {@code fileId} if it is {@code userId}'s, finished, not deleted and not expired. */
    Optional<StoredFile> find(String userId, String fileId);

    /** The content of {@code file}, read from storage chunk by chunk as the stream is read. */
    InputStream open(StoredFile file);

    /** A file being written. */
    interface Writer extends AutoCloseable {
        /** Where the content goes; buffered by at most one chunk. */
        OutputStream stream();

        /** Flushes the last chunk and makes the file visible; returns what was stored. */
        StoredFile finish() throws IOException;

        /** Abandons the file unless it was finished. */
        @Override
        void close();
    }
}
