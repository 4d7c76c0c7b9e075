package io.askpipe.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LibraryTest {
    @Test
    void theTopMostFrameOutsideTheRuntimeTellsTheLibrary() {
        assertThat(Library.topOf(List.of("java.util.HashMap", "scala.collection.X", "kafka.server.KafkaApis")))
                .as("the runtime's frames count for their caller")
                .isEqualTo(Library.KAFKA);
        assertThat(Library.topOf(List.of("org.apache.kafka.streams.processor.internals.StreamTask")))
                .isEqualTo(Library.KAFKA_STREAMS);
        assertThat(Library.topOf(List.of("org.apache.kafka.clients.producer.KafkaProducer")))
                .isEqualTo(Library.KAFKA);
        assertThat(Library.topOf(List.of("com.fasterxml.jackson.databind.ObjectMapper", "io.askpipe.schemas.Json")))
                .isEqualTo(Library.JACKSON);
        assertThat(Library.topOf(List.of("io.askpipe.ingest.IngestRoutes", "org.jooq.impl.X")))
                .isEqualTo(Library.ASKPIPE);
        assertThat(Library.topOf(List.of("ch.qos.logback.classic.Logger"))).isEqualTo(Library.LOGBACK);
        assertThat(Library.topOf(List.of("io.netty.channel.nio.NioEventLoop"))).isEqualTo(Library.NETTY);
        assertThat(Library.topOf(List.of("io.vertx.core.impl.ContextImpl"))).isEqualTo(Library.VERTX);
        assertThat(Library.topOf(List.of("org.postgresql.core.v3.QueryExecutorImpl")))
                .isEqualTo(Library.PGJDBC);
        assertThat(Library.topOf(List.of("com.yammer.metrics.core.Histogram", "kafka.network.RequestChannel")))
                .isEqualTo(Library.YAMMER);
        assertThat(Library.topOf(List.of("net.jpountz.xxhash.XXHash32JNI"))).isEqualTo(Library.LZ4);
    }

    @Test
    void aStackOfTheRuntimeOnlyIsTheJdksAnUnknownFrameIsOther() {
        assertThat(Library.topOf(List.of("java.lang.Thread", "jdk.internal.misc.Unsafe")))
                .isEqualTo(Library.JDK);
        assertThat(Library.topOf(List.of("java.lang.String", "com.example.Thing", "org.jooq.impl.X")))
                .isEqualTo(Library.OTHER);
        assertThat(Library.topOf(List.of())).isEqualTo(Library.OTHER);
    }

    @Test
    void theFirstKnownLibraryLooksPastUnknownFrames() {
        assertThat(Library.firstKnown(List.of("java.lang.String", "com.example.Thing", "org.jooq.impl.X")))
                .isEqualTo(Library.JOOQ);
        assertThat(Library.firstKnown(List.of("java.lang.String", "com.example.Thing")))
                .isEqualTo(Library.OTHER);
        assertThat(Library.firstKnown(List.of("java.lang.String"))).isEqualTo(Library.JDK);
    }
}
