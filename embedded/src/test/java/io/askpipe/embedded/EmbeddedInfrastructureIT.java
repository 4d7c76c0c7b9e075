package io.askpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedInfrastructureIT {

    @Test
    void brokerAcceptsAndDeliversRecords() throws Exception {
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        String topic = SharedInfrastructure.uniqueName("roundtrip");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
        }
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG, topic,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            for (int i = 0; i < 50 && records.isEmpty(); i++) {
                records = consumer.poll(Duration.ofMillis(200));
            }
            assertThat(records.count()).isEqualTo(1);
            var record = records.iterator().next();
            assertThat(record.key()).isEqualTo("k");
            assertThat(record.value()).isEqualTo("v");
        }
    }

    @Test
    void postgresServesSeparateDatabases() throws Exception {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String a = pg.createDatabase(SharedInfrastructure.uniqueName("db"));
        String b = pg.createDatabase(SharedInfrastructure.uniqueName("db"));
        try (var ca = DriverManager.getConnection(a, pg.user(), pg.password());
                var cb = DriverManager.getConnection(b, pg.user(), pg.password())) {
            ca.createStatement().execute("CREATE TABLE marker (id int)");
            var rs = cb.createStatement()
                    .executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = 'marker'");
            rs.next();
            assertThat(rs.getInt(1)).isZero();
            var version = ca.createStatement().executeQuery("SHOW server_version");
            version.next();
            assertThat(version.getString(1)).startsWith("18.");
        }
    }

    @Test
    void postgresAcknowledgesACommitOnlyOnceItsWalIsWritten() throws Exception {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String url = pg.createDatabase(SharedInfrastructure.uniqueName("db"));
        try (var connection = DriverManager.getConnection(url, pg.user(), pg.password())) {
            var settings = connection
                    .createStatement()
                    .executeQuery("SELECT current_setting('synchronous_commit'), current_setting('fsync')");
            settings.next();
            assertThat(settings.getString(1))
                    .as("a killed server must not lose a transaction it acknowledged")
                    .isEqualTo("on");
            assertThat(settings.getString(2))
                    .as("a crashed machine may: no fsync")
                    .isEqualTo("off");
        }
    }
}
