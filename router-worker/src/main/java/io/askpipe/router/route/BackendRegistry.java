package io.askpipe.router.route;

import io.askpipe.router.backend.Backend;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The backends this worker knows, by name. A backend whose settings are missing is registered as
 * {@link Entry.Unavailable} with the reason, so an ask routed to it fails with a message that says
 * what to configure; a name that is not registered at all is unavailable too. Immutable.
 */
public final class BackendRegistry implements AutoCloseable {
    private final Map<String, Entry> entries;

    /** What the registry holds for a name. */
    sealed interface Entry {
        /** A configured backend and the time limit of one call to it. */
        record Available(Backend backend, Duration timeout) implements Entry {
            public Available {
                Objects.requireNonNull(backend, "backend");
                Objects.requireNonNull(timeout, "timeout");
            }
        }

        /** A backend that cannot be called, and why. */
        record Unavailable(String reason) implements Entry {}
    }

    private BackendRegistry(Map<String, Entry> entries) {
        this.entries = Map.copyOf(entries);
    }

    /** A registry builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The entry for {@code name}; an unknown name is unavailable. */
    Entry lookup(String name) {
        Entry entry = entries.get(name);
        return entry != null ? entry : new Entry.Unavailable("no backend named '" + name + "' is registered");
    }

    /** The registered names, available or not: the only values of the {@code backend} metric label. */
    Set<String> names() {
        return entries.keySet();
    }

    /** The backends that can be called. */
    public List<Backend> available() {
        return entries.values().stream()
                .filter(Entry.Available.class::isInstance)
                .map(entry -> ((Entry.Available) entry).backend())
                .toList();
    }

    /** Closes the backends that hold resources (their HTTP clients). */
    @Override
    public void close() {
        for (Entry entry : entries.values()) {
            if (entry instanceof Entry.Available available && available.backend() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(
                            "closing backend " + available.backend().name(), e);
                }
            }
        }
    }

    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        public Builder available(Backend backend, Duration timeout) {
            entries.put(backend.name(), new Entry.Available(backend, timeout));
            return this;
        }

        public Builder unavailable(String name, String reason) {
            entries.put(name, new Entry.Unavailable(reason));
            return this;
        }

        public BackendRegistry build() {
            return new BackendRegistry(entries);
        }
    }
}
