package io.askpipe.bench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import java.time.Clock;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AsksTest {
    @Test
    void everyAskIsAboutTheRecordSizeAsked() {
        Asks asks = Asks.of(50, 2048, Clock.systemUTC());

        IntStream.range(0, asks.count())
                .forEach(i -> assertThat(Asks.bytes(asks.request(i))).isBetween(2048 - 8, 2048 + 8));
    }

    @Test
    void anAskSmallerThanItsFieldsIsAsSmallAsTheyAllow() {
        Asks asks = Asks.of(1, 10, Clock.systemUTC());

        assertThat(Asks.bytes(asks.request(0))).isGreaterThan(10);
        assertThat(asks.request(0).prompt()).doesNotContain("Context follows");
    }

    @Test
    void eachAskHasItsOwnIdsAndASuccessfulResult() {
        Asks asks = Asks.of(3, 1024, Clock.systemUTC());

        assertThat(UUID.fromString(asks.request(0).requestId()).version()).isEqualTo(7);
        assertThat(asks.request(0).requestId()).isNotEqualTo(asks.request(1).requestId());
        assertThat(asks.request(0).idempotencyKey()).isEqualTo("cost-00000000");
        assertThat(asks.request(2).idempotencyKey()).isEqualTo("cost-00000002");
        assertThat(asks.result(1).reqId()).isEqualTo(asks.request(1).requestId());
        assertThat(asks.result(1).status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(asks.result(1).message()).isNotNull();
        assertThat(asks.fingerprint(1)).matches("[0-9a-f]{64}").isNotEqualTo(asks.fingerprint(2));
    }

    @Test
    void theClientsBodyIsTheChatBodyWithTheMetadata() throws Exception {
        Asks asks = Asks.of(1, 2048, Clock.systemUTC());

        var body = Json.mapper().readTree(asks.clientBody());

        assertThat(body.path("model").asText()).isEqualTo(Asks.MODEL);
        assertThat(body.path("messages")).hasSize(2);
        assertThat(body.path("metadata").path("tenant").asText()).isEqualTo("acme");
    }

    @Test
    void paddingIsExactlyAsLongAsAsked() {
        assertThat(Asks.padding(0)).isEmpty();
        assertThat(Asks.padding(-3)).isEmpty();
        assertThat(Asks.padding(1000)).hasSize(1000).matches("[ -~]*");
    }
}
