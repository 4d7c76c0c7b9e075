package io.askpipe.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.config.Env;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StoreServiceTest {

    private static StoreConfig config(String askMaxBytes) {
        return StoreConfig.fromEnv(Env.of(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "ASK_MAX_BYTES", askMaxBytes)));
    }

    @Test
    void streamsProducerConsumersAndInternalTopicsTakeAJoinedAskOfTheLargestSize() {
        for (String askMaxBytes : new String[] {"65536", "4194304", "16777216"}) {
            StoreConfig config = config(askMaxBytes);
            int record = config.kafka().sizes().recordMaxBytes();
            assertThat(record).isEqualTo(2 * (Integer.parseInt(askMaxBytes) + 512 * 1024));

            Properties props = StoreService.streamsProperties(config);
            StreamsConfig streams = new StreamsConfig(props);

            assertThat(streams.getProducerConfigs("p")).containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, record);
            assertThat((long) streams.getProducerConfigs("p").get(ProducerConfig.BUFFER_MEMORY_CONFIG))
                    .isGreaterThanOrEqualTo(record);
            for (Map<String, Object> consumer : java.util.List.of(
                    streams.getMainConsumerConfigs("g", "c", 0),
                    streams.getRestoreConsumerConfigs("r"),
                    streams.getGlobalConsumerConfigs("gl"))) {
                assertThat(consumer).containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, record);
                assertThat((int) consumer.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG))
                        .isGreaterThanOrEqualTo(record);
            }
            assertThat(streams.originalsWithPrefix(StreamsConfig.TOPIC_PREFIX))
                    .containsEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(record));
        }
    }

    @Test
    void theWritersConsumerAndProducerTakeAJoinedAskOfTheLargestSize() {
        for (String askMaxBytes : new String[] {"65536", "4194304", "16777216"}) {
            StoreConfig config = config(askMaxBytes);
            int record = config.kafka().sizes().recordMaxBytes();

            Map<String, Object> consumer = StoreService.writerConsumerProperties(config);
            assertThat(consumer).containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, record);
            assertThat((int) consumer.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG))
                    .isGreaterThanOrEqualTo(record);
            assertThat(consumer).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId() + "-writer");

            // batch events in a group of their own, read from the beginning, committed by hand
            Map<String, Object> batchEvents = StoreService.batchEventConsumerProperties(config);
            assertThat(batchEvents)
                    .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId() + "-batch-events")
                    .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                    .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

            // the writer's producer sets joined asks aside on the store's dead-letter topic
            assertThat(config.kafka().acknowledgedProducerProperties("askpipe-store-writer"))
                    .containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, record);
        }
    }
}
