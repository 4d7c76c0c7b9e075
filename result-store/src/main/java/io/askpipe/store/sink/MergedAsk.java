package io.askpipe.store.sink;

import io.askpipe.schemas.AskProgress;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one write holds of one ask: the last of its request, its progress and its result that the
 * write was given, each if any.
 *
 * @param requestId the ask's request id
 * @param request its request, if the write has one
 * @param progress a worker's start on it, if the write has one
 * @param result its result, if the write has one
 */
record MergedAsk(
        String requestId, Optional<AskRequest> request, Optional<AskProgress> progress, Optional<AskResult> result) {

    /**
     * {@code parts} merged per ask, in request id order (the order rows are locked in, the same for
     * every writer); of several parts of one kind for one ask, the last counts.
     */
    static SortedMap<String, MergedAsk> byRequestId(Collection<AskPart> parts) {
        SortedMap<String, MergedAsk> asks = new TreeMap<>();
        for (AskPart part : parts) {
            asks.merge(part.requestId(), of(part), MergedAsk::plus);
        }
        return asks;
    }

    private static MergedAsk of(AskPart part) {
        return new MergedAsk(part.requestId(), Optional.empty(), Optional.empty(), Optional.empty()).plus(part);
    }

    /** This ask with {@code later}'s part in place of its part of that kind. */
    private MergedAsk plus(MergedAsk later) {
        return new MergedAsk(
                requestId,
                later.request.or(() -> request),
                later.progress.or(() -> progress),
                later.result.or(() -> result));
    }

    private MergedAsk plus(AskPart part) {
        return switch (part) {
            case AskPart.Request r -> new MergedAsk(requestId, Optional.of(r.request()), progress, result);
            case AskPart.Progress p -> new MergedAsk(requestId, request, Optional.of(p.progress()), result);
            case AskPart.Result r -> new MergedAsk(requestId, request, progress, Optional.of(r.result()));
        };
    }

    /**
     * Whether any of its parts is older than {@code horizon}: a request accepted, progress started
     * or a result completed before it.
     */
    boolean anyBefore(Instant horizon) {
        return request.filter(r -> r.acceptedAt().isBefore(horizon)).isPresent()
                || progress.filter(p -> p.startedAt().isBefore(horizon)).isPresent()
                || result.filter(r -> r.completedAt().isBefore(horizon)).isPresent();
    }

    /** This ask without the parts older than {@code horizon} (see {@link #anyBefore}). */
    MergedAsk without(Instant horizon) {
        return new MergedAsk(
                requestId,
                request.filter(r -> !r.acceptedAt().isBefore(horizon)),
                progress.filter(p -> !p.startedAt().isBefore(horizon)),
                result.filter(r -> !r.completedAt().isBefore(horizon)));
    }

    /** Whether it holds no part at all. */
    boolean isEmpty() {
        return request.isEmpty() && progress.isEmpty() && result.isEmpty();
    }
}
