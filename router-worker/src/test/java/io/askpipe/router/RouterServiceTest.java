package io.askpipe.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.config.Env;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouterServiceTest {

    private static RouterConfig config(int askMaxBytes) {
        return RouterConfig.fromEnv(Env.of(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "ASK_MAX_BYTES", String.valueOf(askMaxBytes))));
    }

    @ParameterizedTest
    @ValueSource(ints = {65536, 4 * 1024 * 1024, 16 * 1024 * 1024})
    void theConsumerOfAsksAndTheProducerOfResultsFollowAskMaxBytes(int askMaxBytes) {
        RouterConfig config = config(askMaxBytes);
        int record = 2 * (askMaxBytes + 512 * 1024);
        assertThat(config.kafka().sizes().recordMaxBytes()).isEqualTo(record);

        Map<String, Object> consumer = RouterService.consumerProperties(config);
        assertThat(consumer).containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, record);
        assertThat((int) consumer.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG)).isGreaterThanOrEqualTo(record);
        assertThat(consumer).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());

        Map<String, Object> producer = RouterService.producerProperties(config);
        assertThat(producer).containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, record);
        assertThat((long) producer.get(ProducerConfig.BUFFER_MEMORY_CONFIG)).isGreaterThanOrEqualTo(record);
    }
}
