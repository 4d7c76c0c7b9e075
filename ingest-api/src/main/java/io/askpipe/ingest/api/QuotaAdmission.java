package io.askpipe.ingest.api;

import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.ingest.quota.Admission;
import io.askpipe.ingest.quota.Quotas;
import io.askpipe.schemas.AskRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step of a submit between its claim and its publish that passes the new ask through its
 * user's {@link Quotas}, giving the claim up again when one refuses it, so that a retry with the key
 * after {@code Retry-After} is a new try. A replay never comes here. Thread-safe.
 */
final class QuotaAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(QuotaAdmission.class);

    private final Quotas quotas;
    private final AskLedger ledger;
    private final String method;
    private final MeterRegistry registry;

    QuotaAdmission(Quotas quotas, AskLedger ledger, String method, MeterRegistry registry) {
        this.quotas = quotas;
        this.ledger = ledger;
        this.method = method;
        this.registry = registry;
    }

    /**
     * Counts the claimed ask against its user's quotas and returns the {@code RateLimit} fields of
     * its answer; over a quota, gives the claim up again and throws the quota's 429. Runs off the
     * event loop.
     */
    Map<String, String> admit(AskRequest request, String path) {
        Admission admission;
        try {
            admission = quotas.admit(request.userId(), request.requestId());
        } catch (DataAccessException e) {
            LOG.warn("ask {} not accepted: its quotas cannot be checked: {}", request.requestId(), e.toString());
            release(request, path);
            throw IngestRoutes.unavailable(e);
        }
        if (admission instanceof Admission.Refused refused) {
            release(request, path);
            IngestRoutes.rejected(registry, refused.type().code()).increment();
            throw refused.problem();
        }
        return admission.headers();
    }

    /**
     * Gives up the claim of an ask that was not admitted; when that fails, the client hears 503
     * rather than 429, since the ledger's recovery will publish the ask its retry then converges on.
     */
    private void release(AskRequest request, String path) {
        try {
            ledger.release(request, method, path);
        } catch (DataAccessException e) {
            LOG.warn("ask {} refused but its claim not given up: {}", request.requestId(), e.toString());
            throw IngestRoutes.unavailable(e);
        }
    }
}
