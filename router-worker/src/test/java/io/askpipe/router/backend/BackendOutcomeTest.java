package io.askpipe.router.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.schemas.AskError;
import io.askpipe.schemas.ErrorType;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendOutcomeTest {

    @Test
    void aFailureTakesItsStatusAndRetriabilityFromItsType() {
        BackendOutcome.Failed limited =
                BackendOutcome.Failed.of(ErrorType.RATE_LIMITED, "slow down", Optional.of(Duration.ofSeconds(7)));
        BackendOutcome.Failed rejected = BackendOutcome.Failed.of(ErrorType.INVALID_REQUEST, "no such model");

        assertThat(limited.httpStatus()).isEqualTo(429);
        assertThat(limited.retriable()).isTrue();
        assertThat(limited.retryAfterHint()).contains(Duration.ofSeconds(7));
        assertThat(rejected.httpStatus()).isEqualTo(400);
        assertThat(rejected.retriable()).isFalse();
        assertThat(rejected.retryAfterHint()).isEmpty();
        assertThat(rejected.toError()).isEqualTo(new AskError(ErrorType.INVALID_REQUEST, "no such model"));
    }

    @Test
    void onlyARetriableFailureWaitsForARetry() {
        assertThatThrownBy(() -> BackendOutcome.Failed.of(
                        ErrorType.BACKEND_AUTH_FAILED, "refused", Optional.of(Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
