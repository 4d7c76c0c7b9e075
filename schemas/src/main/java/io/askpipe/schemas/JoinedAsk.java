package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * An ask as the result store last joined it: its request, with the progress and the result that
 * have arrived for it so far. The result store's Streams application publishes it to {@code
 * ask.joined}, keyed by request id, in the same transaction that consumes its inputs; the store's
 * writer upserts it into PostgreSQL. A later record for an ask only ever adds to an earlier one.
 *
 * @param request the accepted ask
 * @param progress a worker's start on it, or {@code null}
 * @param result its standardized result, or {@code null} while there is none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JoinedAsk(AskRequest request, AskProgress progress, AskResult result) {

    public JoinedAsk {
        Objects.requireNonNull(request, "request");
    }
}
