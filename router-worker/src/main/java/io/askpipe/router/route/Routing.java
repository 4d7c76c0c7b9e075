package io.askpipe.router.route;

import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.schemas.AskRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which backend answers an ask, within the deployment's {@link BackendCatalog}, in the
 * original system's order: an explicit backend on the request wins; else the first model route
 * that matches the requested model; else {@code PROMPT_BACKEND}. A route may then fall back along a
 * configured chain when its backend is unavailable. Every backend of a route is registered in the
 * catalog: an explicit backend that is not is passed over here and refused by {@link
 * #refusal(AskRequest)}. Immutable and thread-safe.
 */
public final class Routing {
    private final BackendCatalog catalog;

    Routing(BackendCatalog catalog) {
        this.catalog = catalog;
    }

    /** The catalog as {@link BackendCatalog#fromEnv(Env)} reads it, as ingest reads it too. */
    public static Routing fromEnv(Env env) {
        return new Routing(BackendCatalog.fromEnv(env));
    }

    /** The settings {@link #fromEnv} reads: the catalog's. */
    public static List<Setting<?>> settings() {
        return BackendCatalog.settings();
    }

    /** The registered backends: the only names a route, a result or a metric label holds. */
    public List<String> backends() {
        return catalog.backends();
    }

    /** Why {@code request} may not be answered here (a record older than the catalog), if so. */
    Optional<BackendCatalog.Refusal> refusal(AskRequest request) {
        return catalog.refusal(request.backend(), request.model());
    }

    /** The backends to try for {@code request}, first the chosen one, then its fallbacks. */
    public Route resolve(AskRequest request) {
        String primary = primary(request);
        List<String> chain = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String next = primary;
                next != null && seen.add(next);
                next = catalog.fallbacks().get(next)) {
            chain.add(next);
        }
        return new Route(List.copyOf(chain), request.model());
    }

    private String primary(AskRequest request) {
        return primary(request.backend(), request.model());
    }

    /**
     * The registered backend an ask that asked for {@code backend} and {@code model} (each possibly
     * {@code null}) starts with: what a result names when the ask has none from a backend.
     */
    public String primary(String backend, String model) {
        if (backend != null && catalog.registered(backend)) {
            return backend;
        }
        if (model != null) {
            Optional<String> routed = catalog.routeOf(model);
            if (routed.isPresent()) {
                return routed.get();
            }
        }
        return catalog.defaultBackend();
    }

    /**
     * Where an ask goes.
     *
     * @param backends the backend to try first, then its fallbacks in order (never empty)
     * @param requestedModel the model the client asked for; passed to the first backend only, since
     *     a fallback does not know another provider's model names
     */
    public record Route(List<String> backends, String requestedModel) {
        String primary() {
            return backends.getFirst();
        }

        /** The model to ask {@code backend} for: the requested one on the primary, else its default. */
        String modelFor(String backend) {
            return backend.equals(primary()) ? requestedModel : null;
        }
    }
}
