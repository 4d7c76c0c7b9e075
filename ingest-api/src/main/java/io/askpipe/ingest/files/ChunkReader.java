package io.askpipe.ingest.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import org.jooq.exception.DataAccessException;

/**
 * A stored file's content as a stream that fetches one chunk at a time, when the one before is
 * read: a reader holds at most one chunk, and no connection between reads. Not thread-safe.
 */
final class ChunkReader extends InputStream {
    private static final byte[] NONE = new byte[0];

    private final Chunks chunks;
    private final String fileId;
    private final int count;
    private int next;
    private byte[] chunk = NONE;
    private int position;

    ChunkReader(Chunks chunks, StoredFile file) {
        this.chunks = chunks;
        this.fileId = file.id();
        this.count = Chunks.count(file.bytes());
    }

    @Override
    public int read() throws IOException {
        return fill() ? chunk[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(length, chunk.length - position);
        System.arraycopy(chunk, position, into, offset, n);
        position += n;
        return n;
    }

    /**
     * Skips what is left of the chunk at hand, then whole chunks without fetching them (every chunk
     * but a file's last holds {@link Chunks#BYTES}): a batch's expansion that resumes at its
     * checkpoint skips to it at the cost of one chunk, not of every chunk before it. Less than a
     * chunk into the next one is left to the reads that {@link InputStream#skipNBytes} falls back
     * to once this skips nothing.
     */
    @Override
    public long skip(long n) {
        if (n <= 0) {
            return 0;
        }
        long skipped = Math.min(n, chunk.length - position);
        position += (int) skipped;
        // never the last chunk whole: its size is the file's remainder
        while (n - skipped >= Chunks.BYTES && next < count - 1) {
            next++;
            skipped += Chunks.BYTES;
        }
        return skipped;
    }

    @Override
    public int available() {
        return chunk.length - position;
    }

    @Override
    public void close() {
        chunk = NONE;
        position = 0;
        next = count;
    }

    /** Whether unread content is at hand, fetching the next chunk when the current one is spent. */
    private boolean fill() throws IOException {
        while (position == chunk.length) {
            if (next == count) {
                return false;
            }
            try {
                chunk = chunks.read(fileId, next)
                        .orElseThrow(() -> new IOException("file " + fileId + " was deleted while it was read"));
            } catch (DataAccessException e) {
                throw new IOException("chunk " + next + " of file " + fileId + " could not be read", e);
            }
            next++;
            position = 0;
        }
        return true;
    }
}
