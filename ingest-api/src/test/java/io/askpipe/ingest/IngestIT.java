package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.HttpServers;
import io.askpipe.common.HttpSettings;
import io.askpipe.common.KafkaSettings;
import io.askpipe.common.Metrics;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

class IngestIT {

    @Test
    void publishesAcceptedAsksToTheRealBroker() throws Exception {
        KafkaSettings kafka = KafkaSettings.local(
                SharedInfrastructure.kafka().bootstrapServers(), SharedInfrastructure.uniqueName("ingest") + ".");
        IngestConfig config = new IngestConfig(
                kafka, new HttpSettings("127.0.0.1", 0), IngestLimits.DEFAULTS, Duration.ofSeconds(10));
        Vertx vertx = Vertx.vertx();
        try (IngestService service = IngestService.start(config)) {
            Router router = HttpServers.baseRouter(vertx, Metrics.prometheus("test"));
            service.mount(router);
            var server = HttpServers.start(vertx, router, config.http());
            var response = WebClient.create(vertx)
                    .post(server.actualPort(), "127.0.0.1", "/v1/ask")
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Idempotency-Key", "it-key-1")
                    .sendBuffer(Buffer.buffer("{\"prompt\":\"hello\"}"))
                    .await();
            assertThat(response.statusCode()).isEqualTo(202);
            String id = Json.mapper()
                    .readTree(response.bodyAsString())
                    .get("request_id")
                    .asText();

            var topic = kafka.topics().requests();
            Map<String, Object> props = kafka.clientProperties("it");
            props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("g"));
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<ConsumerRecord<String, AskRequest>> seen = new ArrayList<>();
            try (var consumer = new KafkaConsumer<>(
                    props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
                consumer.subscribe(List.of(topic.name()));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                }
            }
            assertThat(seen).hasSize(1);
            assertThat(seen.getFirst().key()).isEqualTo("anonymous:it-key-1");
            assertThat(seen.getFirst().value().requestId()).isEqualTo(id);
            assertThat(seen.getFirst().value().prompt()).isEqualTo("hello");
        } finally {
            vertx.close().await();
        }
    }
}
