package io.askpipe.ingest.files;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import org.jooq.exception.DataAccessException;

/**
 * A file being written: its content buffered into one chunk at a time, each stored as it fills,
 * and the file made visible by {@link #finish()}; closed unfinished, it is discarded. Not
 * thread-safe.
 */
final class ChunkWriter implements FileStore.Writer {
    private final PostgresFileStore store;
    private final Chunks chunks;
    private final StoredFile started;
    private final LineCounter counter = new LineCounter();
    private final byte[] buffer = new byte[Chunks.BYTES];
    private final OutputStream stream = new Stream();
    private int filled;
    private int seq;
    private boolean finished;
    private boolean closed;

    /** Writes into {@code started}, a file whose row {@code store} has just inserted. */
    ChunkWriter(PostgresFileStore store, Chunks chunks, StoredFile started) {
        this.store = store;
        this.chunks = chunks;
        this.started = started;
    }

    @Override
    public OutputStream stream() {
        return stream;
    }

    @Override
    public StoredFile finish() throws IOException {
        open();
        if (filled > 0) {
            store(Arrays.copyOf(buffer, filled));
        }
        StoredFile file = store.finish(started, counter.bytes(), counter.lines());
        finished = true;
        return file;
    }

    @Override
    public void close() {
        if (!closed && !finished) {
            store.discard(started.id());
        }
        closed = true;
    }

    private void open() throws IOException {
        if (finished || closed) {
            throw new IOException("file " + started.id() + " is " + (finished ? "finished" : "closed"));
        }
    }

    private void store(byte[] chunk) throws IOException {
        try {
            chunks.insert(started.id(), seq, chunk);
        } catch (DataAccessException e) {
            throw new IOException("chunk " + seq + " of file " + started.id() + " could not be stored", e);
        }
        seq++;
        filled = 0;
    }

    /** The content's way in: into the buffer, and on into storage each time it is full. */
    private final class Stream extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            open();
            buffer[filled++] = (byte) b;
            counter.add(buffer, filled - 1, 1);
            if (filled == buffer.length) {
                store(buffer);
            }
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, data.length);
            open();
            counter.add(data, offset, length);
            while (length > 0) {
                int n = Math.min(length, buffer.length - filled);
                System.arraycopy(data, offset, buffer, filled, n);
                filled += n;
                offset += n;
                length -= n;
                if (filled == buffer.length) {
                    store(buffer);
                }
            }
        }
    }
}
