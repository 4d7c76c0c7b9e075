package io.askpipe.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.config.Env;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class StoreServiceTest {

    private static StoreConfig config(String askMaxBytes) {
        return config(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "ASK_MAX_BYTES", askMaxBytes));
    }

    private static StoreConfig config(Map<String, String> env) {
        return StoreConfig.fromEnv(Env.of(env));
    }

    @Test
    void theWritersConsumerAndProducerTakeAnAskOfTheLargestSize() {
        for (String askMaxBytes : new String[] {"65536", "4194304", "16777216"}) {
            StoreConfig config = config(askMaxBytes);
            int record = config.kafka().sizes().recordMaxBytes();
            assertThat(record).isEqualTo(2 * (Integer.parseInt(askMaxBytes) + 512 * 1024));

            Map<String, Object> consumer = StoreService.writerConsumerProperties(config);
            assertThat(consumer).containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, record);
            assertThat((int) consumer.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG))
                    .isGreaterThanOrEqualTo(record);
            assertThat(consumer).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId() + "-asks");

            // batch events in a group of their own, read from the beginning, committed by hand
            Map<String, Object> batchEvents = StoreService.batchEventConsumerProperties(config);
            assertThat(batchEvents)
                    .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId() + "-batch-events")
                    .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                    .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

            // the writer's producer sets unreadable records aside on the store's dead-letter topic
            assertThat(config.kafka().acknowledgedProducerProperties("askpipe-store-writer"))
                    .containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, record);
        }
    }

    @Test
    void theAsksGroupReadsCommittedFromTheBeginningABatchAtATimeAndCommitsByHand() {
        StoreConfig config = config(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/askpipe",
                "STORE_APPLICATION_ID", "store-a",
                "STORE_WRITE_BATCH", "250",
                "KAFKA_GROUP_INSTANCE_ID", "result-store-1"));

        assertThat(StoreService.writerConsumerProperties(config))
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "store-a-asks")
                .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "result-store-1-store-asks")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 250);
    }
}
