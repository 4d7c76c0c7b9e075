package io.askpipe.devstack;

import io.askpipe.common.config.ClientSettings;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.kafka.KafkaSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the development stack reads for itself, before its services read theirs: where it keeps
 * its data, the ports of its embedded broker and database, a broker or database of the operator's
 * own instead, and where it writes the development API key.
 *
 * @param dataDir {@code ASKPIPE_DATA_DIR}: broker and database kept across restarts; empty for temporary directories removed on exit
 * @param kafkaPort {@code ASKPIPE_KAFKA_PORT}: the embedded broker's port with a data directory (0:
 *     a free one)
 * @param postgresPort {@code ASKPIPE_POSTGRES_PORT}: the embedded PostgreSQL's port with a data
 *     directory (0: a free one)
 * @param bootstrapServers {@code KAFKA_BOOTSTRAP_SERVERS}, when set: a broker to use instead of
 *     starting one
 * @param database {@code DATABASE_URL} (with {@code DATABASE_USER}, {@code DATABASE_PASSWORD}),
 *     when set: a database to use instead of starting one
 * @param devKeyFile {@code ASKPIPE_DEV_KEY_FILE}: where the development API key is written
 */
public record DevStackConfig(
        Optional<Path> dataDir,
        int kafkaPort,
        int postgresPort,
        Optional<String> bootstrapServers,
        Optional<DatabaseSettings> database,
        Path devKeyFile) {
    public static final Setting<Path> DATA_DIR = Setting.of("ASKPIPE_DATA_DIR", "path", (name, raw) -> Path.of(raw))
            .doc("keep broker and database here across restarts");
    public static final Setting<Integer> KAFKA_PORT = Setting.integer("ASKPIPE_KAFKA_PORT", 0, 65_535)
            .defaultsTo("0")
            .doc("broker port when `ASKPIPE_DATA_DIR` is set; `0` picks a free one");
    public static final Setting<Integer> POSTGRES_PORT = Setting.integer("ASKPIPE_POSTGRES_PORT", 0, 65_535)
            .defaultsTo("0")
            .doc("PostgreSQL port when `ASKPIPE_DATA_DIR` is set; `0` picks a free one");
    /** Written by the dev stack, read by the client commands. */
    public static final Setting<Path> DEV_KEY_FILE = ClientSettings.DEV_KEY_FILE;
    /** One process, restarted as itself: after a crash it takes its partitions back at once. */
    static final Setting<String> GROUP_INSTANCE_ID = KafkaSettings.GROUP_INSTANCE_ID.defaultsTo("askpipe-dev");

    public static DevStackConfig fromEnv(Env env) {
        return new DevStackConfig(
                env.find(DATA_DIR),
                env.get(KAFKA_PORT),
                env.get(POSTGRES_PORT),
                env.find(KafkaSettings.BOOTSTRAP_SERVERS),
                env.isSet(DatabaseSettings.URL) ? Optional.of(DatabaseSettings.fromEnv(env)) : Optional.empty(),
                env.get(DEV_KEY_FILE));
    }

    /** The settings {@link #fromEnv} reads, and the stack's own default of {@code KAFKA_GROUP_INSTANCE_ID}. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                List.of(
                        DATA_DIR,
                        KAFKA_PORT,
                        POSTGRES_PORT,
                        DEV_KEY_FILE,
                        GROUP_INSTANCE_ID,
                        KafkaSettings.BOOTSTRAP_SERVERS),
                DatabaseSettings.settings());
    }
}
