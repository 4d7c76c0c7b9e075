package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.bench.load.AskLoadResult.DurableBaseline;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.ingest.api.AskSubmission;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DurableWorkTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-08T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void theAskIsTheRecordIngestMakesOfTheLoadGeneratorsBody() throws Exception {
        String key = "durable-1a2b3c4d-42";
        AskSubmission parsed = AskSubmission.of(
                Json.mapper().readTree(HttpLoad.body(key)),
                IngestLimits.DEFAULTS,
                new CallbackPolicy(false, List.of(), host -> new InetAddress[0]),
                CLOCK.instant());

        AskRequest ask = DurableWork.ask("user-1", key, CLOCK);

        assertThat(ask.chat()).isEqualTo(parsed.chat());
        assertThat(ask.userId()).isEqualTo("user-1");
        assertThat(ask.idempotencyKey()).isEqualTo(key);
        assertThat(ask.acceptedAt()).isEqualTo(CLOCK.instant());
        assertThat(ask.backend()).isNull();
        assertThat(ask.callbackUrl()).isNull();
        assertThat(ask.metadata()).isEmpty();
        assertThat(ask.traceparent()).isNull();
        assertThat(ask.deadline()).isEmpty();
        assertThat(ask.priority()).isEqualTo(Priority.INTERACTIVE);
        assertThat(DurableWork.fingerprint(key)).isEqualTo(parsed.fingerprint());
        assertThat(DurableWork.fingerprint(key + "0")).isNotEqualTo(parsed.fingerprint());
        assertThat(DurableWork.ask("user-1", key, CLOCK).requestId()).isNotEqualTo(ask.requestId());
    }

    @Test
    void readsItsFiguresFromTheLastResultLineOfItsOutput() throws Exception {
        DurableBaseline figures =
                new DurableBaseline(64, 25_000, 10.0, 2.5, 9.75, 31.0, Map.of("TimeoutException", 2L));
        String output = "12:00:01 INFO  ProducerConfig values: ...\n"
                + DurableWork.RESULT + "{\"in_flight\":1,\"asks\":1,\"seconds\":1.0,\"p50_ms\":1.0,"
                + "\"p99_ms\":1.0,\"max_ms\":1.0,\"errors\":{}}\n"
                + DurableWork.RESULT + Json.mapper().writeValueAsString(figures) + "\n"
                + "12:00:12 INFO  closing\n";

        DurableBaseline read = DurableWork.result(output);

        assertThat(read).isEqualTo(figures);
        assertThat(read.rate()).isEqualTo(2_500.0);
    }

    @Test
    void anOutputWithoutFiguresFailsWithIt() {
        assertThatThrownBy(() -> DurableWork.result("Exception in thread \"main\" ..."))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Exception in thread");
    }
}
