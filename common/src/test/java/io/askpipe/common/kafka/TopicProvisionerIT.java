package io.askpipe.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.embedded.SharedInfrastructure;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class TopicProvisionerIT {
    private final String bootstrap = SharedInfrastructure.kafka().bootstrapServers();

    @Test
    void createsEveryTopicWithItsCleanupPolicyAndIsIdempotent() throws Exception {
        KafkaSettings settings = KafkaSettings.local(bootstrap, SharedInfrastructure.uniqueName("prov") + ".");
        try (Admin admin = Admin.create(settings.clientProperties("test"))) {
            TopicProvisioner.ensure(admin, settings.topics(), settings);
            TopicProvisioner.ensure(admin, settings.topics(), settings); // a second instance starting

            Set<String> names = admin.listTopics().names().get();
            for (var topic : settings.topics().all()) {
                assertThat(names).contains(topic.name());
                var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
                var config =
                        admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertThat(config.get("cleanup.policy").value()).isEqualTo(topic.cleanupPolicy());
            }
            var described = admin.describeTopics(
                            List.of(settings.topics().requests().name()))
                    .allTopicNames()
                    .get();
            assertThat(described.get(settings.topics().requests().name()).partitions())
                    .hasSize(settings.partitions());
        }
    }

    @Test
    void createsEveryTopicTakingTheLargestRecordOfTheSizesItsGiven() throws Exception {
        AskSizes sizes = new AskSizes(64 * 1024);
        KafkaSettings local = KafkaSettings.local(bootstrap, SharedInfrastructure.uniqueName("size") + ".");
        KafkaSettings settings =
                new KafkaSettings(local.bootstrapServers(), local.topicPrefix(), 1, (short) -1, -1, null, sizes);
        try (Admin admin = Admin.create(settings.clientProperties("test"))) {
            TopicProvisioner.ensure(admin, settings.topics(), settings);

            for (var topic : settings.topics().all()) {
                assertThat(maxMessageBytes(admin, topic.name()))
                        .as(topic.name())
                        .isEqualTo(sizes.recordMaxBytes());
            }
        }
    }

    @Test
    void raisesAnExistingTopicThatTakesTooSmallRecordsAndNeverLowersOne() throws Exception {
        KafkaSettings settings = KafkaSettings.local(bootstrap, SharedInfrastructure.uniqueName("raise") + ".");
        String requests = settings.topics().requests().name();
        String results = settings.topics().results().name();
        int larger = settings.sizes().recordMaxBytes() + 1;
        try (Admin admin = Admin.create(settings.clientProperties("test"))) {
            // as an earlier version created them: Kafka's default of about 1 MB, and one an operator raised
            admin.createTopics(List.of(
                            new NewTopic(requests, 1, (short) 1)
                                    .configs(Map.of("cleanup.policy", "compact", "max.message.bytes", "1048588")),
                            new NewTopic(results, 1, (short) 1)
                                    .configs(Map.of(
                                            "cleanup.policy", "compact", "max.message.bytes", String.valueOf(larger)))))
                    .all()
                    .get();

            TopicProvisioner.ensure(admin, settings.topics(), settings);

            assertThat(maxMessageBytes(admin, requests))
                    .isEqualTo(settings.sizes().recordMaxBytes());
            assertThat(maxMessageBytes(admin, results)).isEqualTo(larger);
        }
    }

    @Test
    void theSharedBrokerTakesTheLargestRecordAnyAskMaxBytesMakes() throws Exception {
        try (Admin admin = Admin.create(KafkaSettings.local(bootstrap, "").clientProperties("test"))) {
            String node = String.valueOf(
                    admin.describeCluster().nodes().get().iterator().next().id());
            var broker = new ConfigResource(ConfigResource.Type.BROKER, node);
            var config = admin.describeConfigs(List.of(broker)).all().get().get(broker);

            assertThat(Integer.parseInt(config.get("message.max.bytes").value()))
                    .isGreaterThanOrEqualTo(AskSizes.LARGEST.recordMaxBytes());
            assertThat(Integer.parseInt(config.get("replica.fetch.max.bytes").value()))
                    .isGreaterThanOrEqualTo(AskSizes.LARGEST.recordMaxBytes());
        }
    }

    private static int maxMessageBytes(Admin admin, String topic) throws Exception {
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return Integer.parseInt(admin.describeConfigs(List.of(resource))
                .all()
                .get()
                .get(resource)
                .get("max.message.bytes")
                .value());
    }

    @Test
    void refusesAnExistingTopicWithTheWrongCleanupPolicy() throws Exception {
        KafkaSettings settings = KafkaSettings.local(bootstrap, SharedInfrastructure.uniqueName("wrong") + ".");
        try (Admin admin = Admin.create(settings.clientProperties("test"))) {
            admin.createTopics(List.of(new NewTopic(settings.topics().requests().name(), 1, (short) 1)
                            .configs(Map.of("cleanup.policy", "delete"))))
                    .all()
                    .get();
            assertThatThrownBy(() -> TopicProvisioner.ensure(admin, settings.topics(), settings))
                    .hasMessageContaining(settings.topics().requests().name())
                    .hasMessageContaining("cleanup.policy=delete");
        }
    }
}
