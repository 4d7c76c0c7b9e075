package io.askpipe.ingest.files;

/**
 * Counts the bytes and lines of content seen piece by piece: each newline ends a line, and a last
 * line without one counts too. Not thread-safe.
 */
final class LineCounter {
    private long bytes;
    private long newlines;
    private byte last = '\n';

    /** Counts {@code length} bytes of {@code data} from {@code offset}. */
    void add(byte[] data, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (data[i] == '\n') {
                newlines++;
            }
        }
        if (length > 0) {
            last = data[offset + length - 1];
        }
        bytes += length;
    }

    long bytes() {
        return bytes;
    }

    long lines() {
        return newlines + (last == '\n' ? 0 : 1);
    }
}
