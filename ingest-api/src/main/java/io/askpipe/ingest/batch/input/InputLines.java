package io.askpipe.ingest.batch.input;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads an input file line by line from a stream, keeping count of lines and bytes, so that a
 * reading can stop after any line and resume there from a checkpoint (the file's stream skipped to
 * its bytes). A line ends at {@code \n}, with a {@code \r} before it dropped; a last line without
 * one counts. A line longer than the limit is skipped rather than held. Not thread-safe.
 */
final class InputLines implements AutoCloseable {
    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int position;
    private int limit;
    private long number;
    private long offset;

    /**
     * Lines of {@code in}, a file's stream positioned after its first {@code lines} lines, at byte
     * {@code offset}; a line of more than {@code maxLineBytes} bytes is read as too long.
     */
    InputLines(InputStream in, long lines, long offset, int maxLineBytes) {
        this.in = in;
        this.number = lines;
        this.offset = offset;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, if the file has one more. */
    Optional<RawLine> next() throws IOException {
        line.reset();
        boolean tooLong = false;
        long read = 0;
        boolean ended = false;
        while (!ended) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    break;
                }
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int length = position - start;
            if (position < limit) {
                position++; // the line break
                read++;
                ended = true;
            }
            read += length;
            int room = maxLineBytes + 1 - line.size();
            if (length > room) {
                tooLong = true;
                length = Math.max(0, room);
            }
            line.write(buffer, start, length);
        }
        if (read == 0) {
            return Optional.empty();
        }
        number++;
        offset += read;
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        if (tooLong || length > maxLineBytes) {
            return Optional.of(new RawLine(number, offset, Optional.empty()));
        }
        return Optional.of(new RawLine(number, offset, Optional.of(Arrays.copyOf(bytes, length))));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
