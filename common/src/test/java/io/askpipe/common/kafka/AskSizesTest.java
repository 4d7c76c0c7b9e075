package io.askpipe.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AskSizesTest {

    private static KafkaSettings kafka(int askMaxBytes) {
        return KafkaSettings.fromEnv(Env.of(
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", "ASK_MAX_BYTES", String.valueOf(askMaxBytes))));
    }

    @Test
    void byDefaultALongContextAskOfTwoMegabytesFitsWithRoomToSpare() {
        AskSizes sizes = KafkaSettings.fromEnv(Env.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", "b:9092")))
                .sizes();

        assertThat(sizes).isEqualTo(AskSizes.DEFAULTS);
        assertThat(sizes.askMaxBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(sizes.askRecordBytes()).isGreaterThan(2 * 1024 * 1024 + AskSizes.ENVELOPE_BYTES);
        // a joined ask holds the ask and its result
        assertThat(sizes.recordMaxBytes()).isEqualTo(sizes.askRecordBytes() + sizes.resultRecordBytes());
        assertThat(sizes.recordMaxBytes()).isEqualTo(9 * 1024 * 1024);
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 65536, 4 * 1024 * 1024, 16 * 1024 * 1024})
    void everyDerivedKafkaPropertyFollowsTheSetting(int askMaxBytes) {
        KafkaSettings kafka = kafka(askMaxBytes);
        int record = 2 * (askMaxBytes + AskSizes.ENVELOPE_BYTES);
        assertThat(kafka.sizes().recordMaxBytes()).isEqualTo(record);

        Map<String, Object> producer = kafka.acknowledgedProducerProperties("p");
        assertThat(producer).containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, record);
        assertThat((long) producer.get(ProducerConfig.BUFFER_MEMORY_CONFIG))
                .as("a record fits in the producer's buffer")
                .isGreaterThanOrEqualTo(record)
                .isGreaterThanOrEqualTo(32L * 1024 * 1024);

        Map<String, Object> consumer = kafka.consumerProperties("c");
        assertThat(consumer).containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, record);
        assertThat((int) consumer.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG))
                .isGreaterThanOrEqualTo(record)
                .isGreaterThanOrEqualTo(50 * 1024 * 1024);
        assertThat(consumer).containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");

        assertThat(kafka.sizes().topicConfigs())
                .containsExactlyEntriesOf(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(record)));
    }

    @Test
    void theLargestSettingStaysWithinWhatABrokerTakesInOneRequest() {
        // socket.request.max.bytes, the broker's default bound on a whole produce request
        assertThat(AskSizes.LARGEST.recordMaxBytes()).isLessThan(100 * 1024 * 1024);
        assertThat(AskSizes.LARGEST.askMaxBytes()).isEqualTo(AskSizes.ASK_MAX_BYTES.parse("16777216"));
    }

    @Test
    void aSettingOutOfBoundsFailsNamingIt() {
        assertThatThrownBy(() -> kafka(1023))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ASK_MAX_BYTES must be between 1024 and 16777216, got 1023");
        assertThatThrownBy(() -> new AskSizes(16 * 1024 * 1024 + 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ASK_MAX_BYTES");
    }
}
