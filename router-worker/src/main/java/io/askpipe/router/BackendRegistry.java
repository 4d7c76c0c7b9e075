package io.askpipe.router;

import io.askpipe.router.spi.Backend;
import io.askpipe.schemas.AskRequest;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The backends this worker can call, by name, and the rule that picks one for an ask: an explicit
 * backend on the request wins, else {@code PROMPT_BACKEND}, else {@code dryrun}. Immutable.
 */
final class BackendRegistry {
    private final Map<String, Backend> backends;
    private final String defaultBackend;

    BackendRegistry(String defaultBackend, Backend... backends) {
        this.defaultBackend = defaultBackend;
        this.backends = Stream.of(backends).collect(Collectors.toUnmodifiableMap(Backend::name, Function.identity()));
    }

    /** The name of the backend that should answer {@code request}. */
    String resolve(AskRequest request) {
        if (request.backend() != null) {
            return request.backend();
        }
        return defaultBackend != null ? defaultBackend : DryrunBackend.NAME;
    }

    /** The backend registered as {@code name}, if it is registered and available. */
    Optional<Backend> backend(String name) {
        return Optional.ofNullable(backends.get(name));
    }
}
