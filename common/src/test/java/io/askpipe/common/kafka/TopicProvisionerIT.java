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
