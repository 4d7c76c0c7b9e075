package io.askpipe.ingest.files;

import static io.askpipe.ingest.db.Tables.FILE_CHUNKS;

import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The chunks of files' content in table {@code file_chunks}, one statement per call. Thread-safe. */
final class Chunks {
    /** The size of every chunk but a file's last. */
    static final int BYTES = 1 << 20;

    private final DSLContext db;

    Chunks(DSLContext db) {
        this.db = db;
    }

    /** How many chunks a file of {@code bytes} has. */
    static int count(long bytes) {
        return Math.toIntExact((bytes + BYTES - 1) / BYTES);
    }

    void insert(String fileId, int seq, byte[] data) {
        db.insertInto(FILE_CHUNKS)
                .set(FILE_CHUNKS.FILE_ID, fileId)
                .set(FILE_CHUNKS.SEQ, seq)
                .set(FILE_CHUNKS.DATA, data)
                .execute();
    }

    Optional<byte[]> read(String fileId, int seq) {
        return db.select(FILE_CHUNKS.DATA)
                .from(FILE_CHUNKS)
                .where(FILE_CHUNKS.FILE_ID.eq(fileId))
                .and(FILE_CHUNKS.SEQ.eq(seq))
                .fetchOptional(FILE_CHUNKS.DATA);
    }

    /** Deletes up to {@code most} chunks of {@code fileId}; returns how many it deleted. */
    int delete(String fileId, int most) {
        return db.deleteFrom(FILE_CHUNKS)
                .where(FILE_CHUNKS.FILE_ID.eq(fileId))
                .and(FILE_CHUNKS.SEQ.in(DSL.select(FILE_CHUNKS.SEQ)
                        .from(FILE_CHUNKS)
                        .where(FILE_CHUNKS.FILE_ID.eq(fileId))
                        .orderBy(FILE_CHUNKS.SEQ)
                        .limit(most)))
                .execute();
    }
}
