package io.askpipe.ingest.batch.input;

import java.util.Optional;

/**
 * One line of an input file as read: where it ends in the file, and its bytes without the line
 * break.
 *
 * @param number its place in the file, counted from 1
 * @param end the offset in the file just past it (past its line break, if it has one)
 * @param bytes its bytes; empty when it was longer than the reader keeps (then it was skipped)
 */
record RawLine(long number, long end, Optional<byte[]> bytes) {
    /** Whether the line holds nothing but spaces and tabs. */
    boolean blank() {
        if (bytes.isEmpty()) {
            return false;
        }
        for (byte b : bytes.get()) {
            if (b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
