package io.askpipe.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.http.ProblemException;
import io.askpipe.schemas.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An ask expires after whole seconds or at an RFC 3339 moment in the future, never both. */
class ExpiryReaderTest {
    private static final Instant NOW = Instant.parse("2026-12-07T14:00:00Z");

    private static Optional<Expiry> read(String body) {
        try {
            return ExpiryReader.read(Json.mapper().readTree(body), NOW);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(body, e);
        }
    }

    /** Asserts that {@code body} is refused naming {@code pointer}, and returns the detail. */
    private static String refused(String body, String pointer) {
        try {
            read(body);
        } catch (ProblemException e) {
            assertThat(e.errors()).hasSize(1);
            assertThat(e.errors().getFirst().pointer()).isEqualTo(pointer);
            return e.errors().getFirst().detail();
        }
        throw new AssertionError("not refused: " + body);
    }

    @Test
    void anAskWithNeitherFieldDoesNotExpire() {
        assertThat(read("{\"prompt\":\"hi\"}")).isEmpty();
        assertThat(read("{\"expires_after\":null,\"deadline\":null}"))
                .as("null is absent")
                .isEmpty();
    }

    @Test
    void expiresAfterIsWholeSecondsFromTheAccept() {
        Expiry expiry = read("{\"expires_after\":90}").orElseThrow();

        assertThat(expiry).isEqualTo(new Expiry.After(Duration.ofSeconds(90)));
        assertThat(expiry.deadline(NOW)).isEqualTo(NOW.plusSeconds(90));
        assertThat(read("{\"expires_after\":1}")).contains(new Expiry.After(Duration.ofSeconds(1)));
        assertThat(read("{\"expires_after\":2592000}")).contains(new Expiry.After(ExpiryReader.MAX));
    }

    @Test
    void expiresAfterOutsideItsRangeOrNotWholeIsRefused() {
        assertThat(refused("{\"expires_after\":0}", "/expires_after")).isEqualTo("must be from 1 to 2592000");
        refused("{\"expires_after\":-5}", "/expires_after");
        refused("{\"expires_after\":2592001}", "/expires_after");
        assertThat(refused("{\"expires_after\":1.5}", "/expires_after")).isEqualTo("must be a whole number");
        refused("{\"expires_after\":\"60\"}", "/expires_after");
    }

    @Test
    void aDeadlineIsAnInstantWithAnOffsetInTheFuture() {
        assertThat(read("{\"deadline\":\"2026-12-07T15:00:00Z\"}"))
                .contains(new Expiry.At(Instant.parse("2026-12-07T15:00:00Z")));
        assertThat(read("{\"deadline\":\"2026-12-07T16:00:00.250+01:00\"}"))
                .contains(new Expiry.At(Instant.parse("2026-12-07T15:00:00.250Z")));
        assertThat(read("{\"deadline\":\"2026-12-07t14:00:01z\"}"))
                .as("RFC 3339 allows lower-case T and Z")
                .contains(new Expiry.At(Instant.parse("2026-12-07T14:00:01Z")));
        Expiry at = read("{\"deadline\":\"2026-12-07T15:00:00Z\"}").orElseThrow();
        assertThat(at.deadline(NOW.plusSeconds(10)))
                .as("the same moment whenever it is accepted")
                .isEqualTo(Instant.parse("2026-12-07T15:00:00Z"));
    }

    @Test
    void aDeadlineThatIsNotRfc3339WithAnOffsetIsRefused() {
        for (String bad : new String[] {
            "2026-12-07T15:00:00", // no offset
            "2026-12-07T15:00Z", // no seconds
            "2026-12-07 15:00:00Z",
            "2026-13-07T15:00:00Z", // no such month
            "tomorrow",
            ""
        }) {
            assertThat(refused("{\"deadline\":\"" + bad + "\"}", "/deadline"))
                    .as(bad)
                    .startsWith("must be an RFC 3339 timestamp with an offset");
        }
        assertThat(refused("{\"deadline\":1765119600}", "/deadline")).isEqualTo("must be a string");
    }

    @Test
    void aDeadlineNowOrPastOrTooFarAheadIsRefused() {
        assertThat(refused("{\"deadline\":\"2026-12-07T14:00:00Z\"}", "/deadline"))
                .isEqualTo("must be in the future: it is 2026-12-07T14:00:00Z now");
        refused("{\"deadline\":\"2026-12-07T13:59:59Z\"}", "/deadline");
        assertThat(refused("{\"deadline\":\"2027-01-06T14:00:01Z\"}", "/deadline"))
                .isEqualTo("must be at most 30 days ahead");
        assertThat(read("{\"deadline\":\"2027-01-06T14:00:00Z\"}")).isPresent();
    }

    @Test
    void bothFieldsAreRefusedNamingExpiresAfter() {
        assertThat(refused("{\"expires_after\":60,\"deadline\":\"2026-12-07T15:00:00Z\"}", "/expires_after"))
                .isEqualTo("and /deadline both say when the ask expires: send one of them");
    }

    @Test
    void bothFieldsAreAsksOwnAndNotCarriedToTheBackend() {
        JsonNode body = Json.mapper().createObjectNode().put("prompt", "hi").put("expires_after", 5);

        assertThat(ChatBodyReader.read(body, 100).extra()).isNull();
        assertThat(Json.mapper().valueToTree(ChatBodyReader.read(body, 100)).has("expires_after"))
                .isFalse();
    }
}
