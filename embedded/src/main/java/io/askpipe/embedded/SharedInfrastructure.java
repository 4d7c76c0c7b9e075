package io.askpipe.embedded;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One broker and one PostgreSQL server per JVM, started on first use and stopped (and their
 * temporary directories removed) when the JVM exits. Integration tests share them so that the
 * suite pays the start-up cost once; they stay apart through unique topic, group and database
 * names ({@link #uniqueName(String)}).
 */
public final class SharedInfrastructure {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static EmbeddedKafka kafka;
    private static EmbeddedPostgresServer postgres;

    private SharedInfrastructure() {}

    /** The shared broker, started if needed. */
    public static synchronized EmbeddedKafka kafka() {
        if (kafka == null) {
            EmbeddedKafka started = EmbeddedKafka.temporary().start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-kafka-stop"));
            kafka = started;
        }
        return kafka;
    }

    /** The shared PostgreSQL server, started if needed. */
    public static synchronized EmbeddedPostgresServer postgres() {
        if (postgres == null) {
            EmbeddedPostgresServer started = EmbeddedPostgresServer.temporary();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-postgres-stop"));
            postgres = started;
        }
        return postgres;
    }

    /** A name no other caller in this JVM gets, usable for topics, groups and databases. */
    public static String uniqueName(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet();
    }
}
