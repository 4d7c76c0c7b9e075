package io.askpipe.ingest.batch;

import io.askpipe.ingest.files.FileStore;
import io.askpipe.ingest.files.StoredFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Files in this JVM's memory, for the batches' tests: not the store under test. */
final class InMemoryFileStore implements FileStore {
    private record Entry(StoredFile file, byte[] content) {}

    private final Map<String, Entry> files = new ConcurrentHashMap<>();

    @Override
    public StoredFile create(
            String userId, String purpose, String filename, InputStream content, Optional<Instant> expiresAt)
            throws IOException {
        try (Writer writer = writer(userId, purpose, filename, expiresAt)) {
            content.transferTo(writer.stream());
            return writer.finish();
        }
    }

    @Override
    public Writer writer(String userId, String purpose, String filename, Optional<Instant> expiresAt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        return new Writer() {
            @Override
            public OutputStream stream() {
                return bytes;
            }

            @Override
            public StoredFile finish() {
                byte[] content = bytes.toByteArray();
                long lines = 0;
                for (byte b : content) {
                    lines += b == '\n' ? 1 : 0;
                }
                if (content.length > 0 && content[content.length - 1] != '\n') {
                    lines++;
                }
                StoredFile file = new StoredFile(
                        "file-" + UUID.randomUUID().toString().replace("-", ""),
                        userId,
                        purpose,
                        filename,
                        content.length,
                        lines,
                        Instant.now(),
                        expiresAt);
                files.put(file.id(), new Entry(file, content));
                return file;
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public Optional<StoredFile> find(String userId, String fileId) {
        return Optional.ofNullable(files.get(fileId))
                .map(Entry::file)
                .filter(file -> file.userId().equals(userId));
    }

    @Override
    public InputStream open(StoredFile file) {
        return new ByteArrayInputStream(files.get(file.id()).content());
    }

    /** Every file stored, by id. */
    Map<String, StoredFile> all() {
        Map<String, StoredFile> all = new ConcurrentHashMap<>();
        files.forEach((id, entry) -> all.put(id, entry.file()));
        return all;
    }
}
