package io.askpipe.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.ingest.ledger.InMemoryAskLedger;
import io.askpipe.ingest.quota.Admission;
import io.askpipe.schemas.AskRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaAdmissionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Map<String, String> FIELDS = Map.of("RateLimit-Policy", "\"rpm\";q=1;w=60");

    private final InMemoryAskLedger ledger = new InMemoryAskLedger();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static AskRequest ask(String id) {
        return new AskRequest(id, "alice", "k", "hi", null, null, NOW);
    }

    private AskLedger.Claim claim(AskRequest ask) {
        return ledger.claim(ask, "POST", "/v1/ask", "f", NOW, NOW.plusSeconds(300));
    }

    @Test
    void anAdmittedAskKeepsItsClaimAndGetsTheFields() {
        AskRequest ask = ask("00000000-0000-7000-8000-000000000001");
        claim(ask);
        var admission = new QuotaAdmission((user, id) -> new Admission.Admitted(FIELDS), ledger, "POST", registry);

        assertThat(admission.admit(ask, "/v1/ask")).isEqualTo(FIELDS);
        assertThat(claim(ask("00000000-0000-7000-8000-000000000002"))).isInstanceOf(AskLedger.Claim.InProgress.class);
    }

    @Test
    void aRefusedAskGivesItsKeyUpAndIsCounted() {
        AskRequest ask = ask("00000000-0000-7000-8000-000000000003");
        claim(ask);
        var admission = new QuotaAdmission(
                (user, id) -> new Admission.Refused(
                        ProblemType.QUOTA_REQUESTS_PER_MINUTE, "spent", Duration.ofSeconds(7), FIELDS),
                ledger,
                "POST",
                registry);

        assertThatThrownBy(() -> admission.admit(ask, "/v1/ask"))
                .isInstanceOfSatisfying(ProblemException.class, problem -> {
                    assertThat(problem.type()).isEqualTo(ProblemType.QUOTA_REQUESTS_PER_MINUTE);
                    assertThat(problem.retryAfter()).contains(Duration.ofSeconds(7));
                    assertThat(problem.headers()).isEqualTo(FIELDS);
                });
        assertThat(claim(ask("00000000-0000-7000-8000-000000000004")))
                .as("the key is free for a new try")
                .isInstanceOf(AskLedger.Claim.Won.class);
        assertThat(registry.get("ingest_rejected")
                        .tag("reason", "quota_requests_per_minute")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }
}
