package io.askpipe.bench.profile;

import java.util.List;

/**
 * A library a stack frame belongs to, by its class's package; the Java and Scala runtimes are no
 * library of their own: their frames count for the library that called them.
 */
enum Library {
    ASKPIPE("askpipe", "io.askpipe."),
    JOOQ("jOOQ", "org.jooq."),
    PGJDBC("pgjdbc", "org.postgresql."),
    HIKARI("HikariCP", "com.zaxxer.hikari."),
    JACKSON("Jackson", "com.fasterxml.jackson."),
    KAFKA_STREAMS("Kafka Streams", "org.apache.kafka.streams."),
    ROCKSDB("RocksDB", "org.rocksdb."),
    KAFKA("Kafka", "org.apache.kafka.", "kafka."),
    /** The broker's metrics. */
    YAMMER("Yammer metrics", "com.yammer.metrics."),
    LZ4("lz4", "net.jpountz."),
    LOGBACK("logback", "ch.qos.logback.", "net.logstash.logback.", "org.slf4j."),
    NETTY("Netty", "io.netty."),
    VERTX("Vert.x", "io.vertx."),
    MICROMETER("Micrometer", "io.micrometer.", "io.prometheus."),
    RESILIENCE4J("resilience4j", "io.github.resilience4j."),
    BUCKET4J("bucket4j", "io.github.bucket4j."),
    CAFFEINE("Caffeine", "com.github.benmanes.caffeine."),
    FLYWAY("Flyway", "org.flywaydb."),
    /** A stack of the runtime's frames only. */
    JDK("JDK"),
    /** The first frame past the runtime's is of no library above, or there is no stack. */
    OTHER("other");

    private static final List<String> RUNTIME = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "scala.");

    private final String label;
    private final List<String> packages;

    Library(String label, String... packages) {
        this.label = label;
        this.packages = List.of(packages);
    }

    /** The library's name as the table prints it. */
    String label() {
        return label;
    }

    /**
     * The library of the top-most frame that is not the runtime's: whose code the sample was
     * running, with the runtime's methods counted for their caller.
     *
     * @param frames the stack's classes, top first
     */
    static Library topOf(List<String> frames) {
        for (String frame : frames) {
            if (!runtime(frame)) {
                return of(frame);
            }
        }
        return frames.isEmpty() ? OTHER : JDK;
    }

    /** The first library above other than {@link #OTHER} from the top of the stack, else {@link #topOf}. */
    static Library firstKnown(List<String> frames) {
        for (String frame : frames) {
            Library library = of(frame);
            if (library != OTHER) {
                return library;
            }
        }
        return topOf(frames);
    }

    private static Library of(String frame) {
        for (Library library : values()) {
            for (String prefix : library.packages) {
                if (frame.startsWith(prefix)) {
                    return library;
                }
            }
        }
        return OTHER;
    }

    private static boolean runtime(String frame) {
        for (String prefix : RUNTIME) {
            if (frame.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
