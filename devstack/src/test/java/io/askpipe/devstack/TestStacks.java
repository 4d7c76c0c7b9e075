package io.askpipe.devstack;

import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import java.util.HashMap;
import java.util.Map;

/**
 * The all-in-one stack as the integration tests start it: on the shared broker and PostgreSQL, with
 * topics, consumer groups and a database of its own, so that tests never see each other's asks.
 */
final class TestStacks {
    private TestStacks() {}

    /**
     * A stack whose topics and groups are named by {@code prefix} (ending in a dot), on an
     * ephemeral client port, with {@code settings} beside those.
     */
    static DevStack start(String prefix, Map<String, String> settings) {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String jdbcUrl = pg.createDatabase(SharedInfrastructure.uniqueName("stack"));
        Map<String, String> env = new HashMap<>(settings);
        env.put("HTTP_PORT", "0");
        env.put("KAFKA_TOPIC_PREFIX", prefix);
        env.put("ROUTER_GROUP_ID", prefix + "router");
        env.put("STORE_APPLICATION_ID", prefix + "store");
        return DevStack.start(env, SharedInfrastructure.kafka().bootstrapServers(), jdbcUrl, pg.user(), pg.password());
    }
}
