package io.askpipe.ingest.files;

import static io.askpipe.ingest.db.Tables.FILES;
import static io.askpipe.ingest.db.Tables.FILE_CHUNKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The file store on a real PostgreSQL, each test on a database of its own and a clock it moves:
 * files of several chunks round-trip, expired, deleted and abandoned files are not served and are
 * purged with their chunks.
 */
class FilesStoreIT {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private HikariDataSource pool;
    private DSLContext db;
    private MovingClock clock;
    private PostgresFileStore store;

    /** A clock that stands still until a test moves it. */
    static final class MovingClock extends Clock {
        private volatile Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void migrate() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings settings = new DatabaseSettings(
                pg.createDatabase(SharedInfrastructure.uniqueName("files")), pg.user(), pg.password(), 4);
        pool = settings.dataSource("files", "ingest", 4, Duration.ofSeconds(10), Duration.ofSeconds(60));
        FlywayMigrations.migrate(pool, "ingest");
        db = DSL.using(pool, SQLDialect.POSTGRES);
        clock = new MovingClock(T0);
        store = new PostgresFileStore(db, clock);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    /** {@code count} JSON lines of about 100 bytes each, the last without its newline if {@code open}. */
    static byte[] lines(int count, boolean open) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            text.append("{\"custom_id\": \"request-")
                    .append(i)
                    .append("\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {}}");
            if (i < count || !open) {
                text.append('\n');
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private StoredFile stored(String userId, byte[] content, Optional<Instant> expiresAt) throws IOException {
        return store.create(userId, "batch", "input.jsonl", new ByteArrayInputStream(content), expiresAt);
    }

    private int chunks(String fileId) {
        return db.fetchCount(FILE_CHUNKS, FILE_CHUNKS.FILE_ID.eq(fileId));
    }

    private int rows(String fileId) {
        return db.fetchCount(FILES, FILES.ID.eq(fileId));
    }

    @Test
    void storesAFileOfSeveralChunksAndReadsItBack() throws IOException {
        byte[] content = lines(30_000, true);
        assertThat(content.length).isGreaterThan(2 * Chunks.BYTES);

        StoredFile file = stored("alice", content, Optional.of(T0.plus(Duration.ofDays(30))));

        assertThat(file.id()).matches("file-[0-9a-f]{32}");
        assertThat(file.bytes()).isEqualTo(content.length);
        assertThat(file.lines()).isEqualTo(30_000);
        assertThat(file.createdAt()).isEqualTo(T0);
        assertThat(file.expiresAt()).contains(T0.plus(Duration.ofDays(30)));
        assertThat(chunks(file.id())).isEqualTo(Chunks.count(content.length)).isEqualTo(3);
        assertThat(store.find("alice", file.id())).contains(file);
        try (InputStream in = store.open(file)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void storesAnEmptyFile() throws IOException {
        StoredFile file = stored("alice", new byte[0], Optional.empty());

        assertThat(file.bytes()).isZero();
        assertThat(file.lines()).isZero();
        assertThat(chunks(file.id())).isZero();
        try (InputStream in = store.open(file)) {
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void showsAFileOnlyToItsOwner() throws IOException {
        StoredFile file = stored("alice", lines(3, false), Optional.empty());

        assertThat(store.find("bob", file.id())).isEmpty();
        assertThat(store.list("bob", Optional.empty(), Optional.empty(), 10, false)
                        .files())
                .isEmpty();
        assertThat(store.delete("bob", file.id())).isFalse();
        assertThat(store.find("alice", file.id())).contains(file);
    }

    @Test
    void servesNoExpiredFileAndThePurgeDeletesItsChunks() throws IOException {
        StoredFile file = stored("alice", lines(20_000, false), Optional.of(T0.plus(Duration.ofMinutes(1))));
        StoredFile kept = stored("alice", lines(10, false), Optional.empty());
        assertThat(store.purge()).isZero();
        assertThat(chunks(file.id())).isEqualTo(2);

        clock.advance(Duration.ofMinutes(1));

        assertThat(store.find("alice", file.id())).isEmpty();
        assertThat(store.list("alice", Optional.empty(), Optional.empty(), 10, false)
                        .files())
                .containsExactly(kept);
        assertThat(store.delete("alice", file.id())).isFalse();
        assertThat(store.purge()).isEqualTo(1);
        assertThat(chunks(file.id())).isZero();
        assertThat(rows(file.id())).isZero();
        assertThat(store.find("alice", kept.id())).contains(kept);
    }

    @Test
    void deletesAFileAtOnceAndItsChunksWithThePurge() throws IOException {
        StoredFile file = stored("alice", lines(20_000, false), Optional.empty());

        assertThat(store.delete("alice", file.id())).isTrue();

        assertThat(store.find("alice", file.id())).isEmpty();
        assertThat(store.delete("alice", file.id())).isFalse();
        assertThat(store.purge()).isEqualTo(1);
        assertThat(chunks(file.id())).isZero();
        assertThat(rows(file.id())).isZero();
    }

    @Test
    void showsNoFileBeingWrittenAndPurgesOneAbandonedAnHourAfterItsStart() throws IOException {
        FileStore.Writer writer = store.writer("alice", "batch_output", "output.jsonl", Optional.empty());
        writer.stream().write(lines(25_000, false)); // two full chunks stored, the rest buffered
        String id = db.select(FILES.ID).from(FILES).fetchSingle(FILES.ID);
        assertThat(chunks(id)).isEqualTo(2);
        assertThat(store.find("alice", id)).isEmpty();
        assertThat(store.list("alice", Optional.empty(), Optional.empty(), 10, false)
                        .files())
                .isEmpty();

        // the writer's process dies: nobody closes it
        clock.advance(PostgresFileStore.ABANDONED_AFTER.minusSeconds(1));
        assertThat(store.purge()).isZero();
        assertThat(chunks(id)).isEqualTo(2);

        clock.advance(Duration.ofSeconds(2));
        assertThat(store.purge()).isEqualTo(1);
        assertThat(chunks(id)).isZero();
        assertThat(rows(id)).isZero();
        assertThatThrownBy(writer::finish).isInstanceOf(IOException.class);
    }

    @Test
    void discardsAFileClosedUnfinished() throws IOException {
        String id;
        try (FileStore.Writer writer = store.writer("alice", "batch_output", "output.jsonl", Optional.empty())) {
            writer.stream().write(lines(15_000, false));
            id = db.select(FILES.ID).from(FILES).fetchSingle(FILES.ID);
            assertThat(chunks(id)).isEqualTo(1);
        }

        assertThat(chunks(id)).isZero();
        assertThat(rows(id)).isZero();
    }

    @Test
    void writesAFileByteByByteAsInPieces() throws IOException {
        byte[] content = lines(12_000, true);
        StoredFile file;
        try (FileStore.Writer writer = store.writer("alice", "batch_output", "output.jsonl", Optional.empty())) {
            for (byte b : content) {
                writer.stream().write(b);
            }
            file = writer.finish();
        }

        assertThat(file.lines()).isEqualTo(12_000);
        assertThat(chunks(file.id())).isEqualTo(2);
        try (InputStream in = store.open(file)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void aReaderSkipsWholeChunksWithoutFetchingThem() throws IOException {
        byte[] content = lines(40_000, false);
        assertThat(Chunks.count(content.length)).isEqualTo(4);
        StoredFile file = stored("alice", content, Optional.empty());
        long from = 2L * Chunks.BYTES + 12_345;
        try (InputStream in = store.open(file)) {
            // gone from the table: a reader that fetched them on its way would fail
            db.deleteFrom(FILE_CHUNKS)
                    .where(FILE_CHUNKS.FILE_ID.eq(file.id()).and(FILE_CHUNKS.SEQ.lt(2)))
                    .execute();

            in.skipNBytes(from);

            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, (int) from, content.length));
        }
    }

    @Test
    void aReaderSkipsWithinTheChunkAtHandAndIntoTheLastOne() throws IOException {
        byte[] content = lines(30_000, false);
        StoredFile file = stored("alice", content, Optional.empty());
        try (InputStream in = store.open(file)) {
            assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOfRange(content, 0, 10));
            in.skipNBytes(100);
            assertThat(in.readNBytes(5)).isEqualTo(Arrays.copyOfRange(content, 110, 115));
            long last = (long) (Chunks.count(content.length) - 1) * Chunks.BYTES;
            in.skipNBytes(last + 7 - 115);
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, (int) last + 7, content.length));
            assertThat(in.skip(10)).isZero();
        }
    }

    @Test
    void aReaderOfAFilePurgedWhileItReadsFails() throws IOException {
        StoredFile file = stored("alice", lines(30_000, false), Optional.empty());
        try (InputStream in = store.open(file)) {
            assertThat(in.readNBytes(Chunks.BYTES + 1)).hasSize(Chunks.BYTES + 1);
            store.delete("alice", file.id());
            store.purge();

            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining(file.id());
        }
    }
}
