package io.askpipe.store.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrphanedTransactionsTest {
    @TempDir
    Path dir;

    @Test
    void readsTheProcessIdKafkaStreamsKeepsInItsStateDirectory() throws Exception {
        Path file = dir.resolve(OrphanedTransactions.PROCESS_FILE);
        assertThat(OrphanedTransactions.processId(file)).isEmpty();
        Files.writeString(file, "{\"processId\":\"54d25f6c-7b07-49bd-9390-4532994c063a\"}");
        assertThat(OrphanedTransactions.processId(file)).contains("54d25f6c-7b07-49bd-9390-4532994c063a");
        Files.writeString(file, "not json");
        assertThat(OrphanedTransactions.processId(file)).isEmpty();
    }
}
