package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.kafka.AskSizes;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.ingest.files.FileSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

    private static IngestConfig config(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        env.put("DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe");
        return IngestConfig.fromEnv(Env.of(env));
    }

    @Test
    void theLedgersTimeoutsAndTheInFlightBoundDefaultBelowThePublishTimeout() {
        IngestConfig config = config(Map.of());

        assertThat(config.maxInFlight()).isEqualTo(1024);
        assertThat(config.ledgerLockTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.ledgerStatementTimeout()).isEqualTo(Duration.ofMillis(2_500));
        assertThat(config(Map.of("INGEST_PUBLISH_TIMEOUT_MS", "1000")).ledgerStatementTimeout())
                .isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void refusesAnIdempotencyTtlThatEndsBeforeTheRecoveryOfAnAbandonedAsk() {
        assertThatThrownBy(() -> config(Map.of("IDEMPOTENCY_TTL", "15s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("IDEMPOTENCY_TTL")
                .hasMessageContaining("INGEST_PUBLISH_TIMEOUT_MS=5000")
                .hasMessageContaining("at least 16000 ms");
        assertThatThrownBy(() -> config(Map.of("IDEMPOTENCY_TTL", "5m", "INGEST_PUBLISH_TIMEOUT_MS", "300000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("IDEMPOTENCY_TTL");
        assertThat(config(Map.of("IDEMPOTENCY_TTL", "16s")).idempotencyTtl()).isEqualTo(Duration.ofSeconds(16));
    }

    @Test
    void refusesLedgerTimeoutsThatLeaveNoTimeToPublish() {
        assertThatThrownBy(() -> config(Map.of("INGEST_DB_STATEMENT_TIMEOUT_MS", "5000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("INGEST_DB_STATEMENT_TIMEOUT_MS")
                .hasMessageContaining("INGEST_PUBLISH_TIMEOUT_MS");
        assertThatThrownBy(() ->
                        config(Map.of("INGEST_DB_LOCK_TIMEOUT_MS", "3000", "INGEST_DB_STATEMENT_TIMEOUT_MS", "2000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("INGEST_DB_LOCK_TIMEOUT_MS");
    }

    @Test
    void theBodyLimitIsAskMaxBytesFromWhichKafkasLimitsAreDerived() {
        IngestConfig defaults = config(Map.of());
        assertThat(defaults.limits().maxBodyBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(defaults.kafka().sizes().askMaxBytes())
                .isEqualTo(defaults.limits().maxBodyBytes());
        assertThat(defaults.limits().maxPromptChars())
                .as("no prompt limit beyond the body's unless set")
                .isEqualTo(defaults.limits().maxBodyBytes());

        IngestConfig small = config(Map.of("ASK_MAX_BYTES", "65536"));
        assertThat(small.limits().maxBodyBytes()).isEqualTo(65536);
        assertThat(small.kafka().sizes().askMaxBytes()).isEqualTo(65536);
        assertThat(small.limits().maxPromptChars()).isEqualTo(65536);
        assertThat(config(Map.of("INGEST_MAX_PROMPT_CHARS", "32000")).limits().maxPromptChars())
                .isEqualTo(32000);
    }

    @Test
    void filesTakeUpTo200MiBAnd50000LinesAndAreKept30DaysUnlessSet() {
        FileSettings defaults = config(Map.of()).files();
        assertThat(defaults).isEqualTo(FileSettings.DEFAULTS);
        assertThat(defaults.maxFileBytes()).isEqualTo(200L * 1024 * 1024);
        assertThat(defaults.maxLines()).isEqualTo(50_000);
        assertThat(defaults.retention()).isEqualTo(Duration.ofDays(30));

        FileSettings set = config(
                        Map.of("BATCH_MAX_FILE_BYTES", "1048576", "BATCH_MAX_LINES", "10", "FILE_RETENTION", "2h"))
                .files();
        assertThat(set).isEqualTo(new FileSettings(1 << 20, 10, Duration.ofHours(2)));
        assertThatThrownBy(() -> config(Map.of("BATCH_MAX_LINES", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BATCH_MAX_LINES");
    }

    @Test
    void theRetiredBodyLimitStopsIngestNamingItsReplacement() {
        assertThatThrownBy(() -> config(Map.of("INGEST_MAX_BODY_BYTES", "65536")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("INGEST_MAX_BODY_BYTES is replaced by ASK_MAX_BYTES");
    }

    @Test
    void refusesABodyLimitAboveWhatKafkaIsSizedFor() {
        IngestConfig defaults = config(Map.of());
        KafkaSettings kafka = new KafkaSettings("127.0.0.1:9092", "", 3, (short) -1, -1, null, new AskSizes(65536));

        assertThatThrownBy(() -> new IngestConfig(
                        kafka,
                        defaults.database(),
                        defaults.auth(),
                        defaults.http(),
                        defaults.ops(),
                        defaults.limits(),
                        defaults.callbacks(),
                        defaults.publishTimeout(),
                        defaults.idempotencyTtl(),
                        defaults.recoveryInterval()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ASK_MAX_BYTES (65536)");
    }
}
