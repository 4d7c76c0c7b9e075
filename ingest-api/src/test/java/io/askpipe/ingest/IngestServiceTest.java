package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.config.Env;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IngestServiceTest {

    @ParameterizedTest
    @ValueSource(ints = {65536, 4 * 1024 * 1024, 16 * 1024 * 1024})
    void theProducerOfAsksPublishesAnyBodyTheLimitLetsThrough(int askMaxBytes) {
        IngestConfig config = IngestConfig.fromEnv(Env.of(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "ASK_MAX_BYTES", String.valueOf(askMaxBytes))));
        assertThat(config.limits().maxBodyBytes()).isEqualTo(askMaxBytes);

        Map<String, Object> producer = IngestService.producerProperties(config.kafka(), config.publishTimeout());

        int record = 2 * (askMaxBytes + 512 * 1024);
        assertThat(producer).containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, record);
        assertThat((int) producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG))
                .as("an ask's record, its body and envelope, fits")
                .isGreaterThan(askMaxBytes + 512 * 1024);
        assertThat((long) producer.get(ProducerConfig.BUFFER_MEMORY_CONFIG)).isGreaterThanOrEqualTo(record);
    }
}
