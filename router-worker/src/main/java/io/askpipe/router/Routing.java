package io.askpipe.router;

import io.askpipe.common.ConfigException;
import io.askpipe.common.Env;
import io.askpipe.schemas.AskRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides which backend answers an ask, in the original system's order: an explicit backend on the
 * request wins; else the first model pattern that matches the requested model; else {@code
 * PROMPT_BACKEND}; else {@code dryrun}. A route may then fall back along a configured chain when
 * its backend is unavailable. Immutable and thread-safe.
 */
final class Routing {
    /** Model patterns of the well-known families: OpenAI's models to openai, open models to llama. */
    static final String DEFAULT_MODEL_ROUTES = "gpt-*=openai,chatgpt-*=openai,o1*=openai,o3*=openai,o4*=openai,"
            + "llama*=llama,mistral*=llama,mixtral*=llama,qwen*=llama,gemma*=llama,phi*=llama,deepseek*=llama";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    private final List<Map.Entry<Pattern, String>> modelRoutes;
    private final Map<String, String> fallbacks;
    private final String defaultBackend;

    /**
     * @param modelRoutes model pattern to backend, in the order they are tried (first match wins)
     * @param fallbacks backend to the backend that stands in when it is unavailable
     * @param defaultBackend the backend for asks that neither name one nor match a pattern
     */
    Routing(Map<Pattern, String> modelRoutes, Map<String, String> fallbacks, String defaultBackend) {
        this.modelRoutes = List.copyOf(modelRoutes.entrySet());
        this.fallbacks = Map.copyOf(fallbacks);
        this.defaultBackend = defaultBackend;
    }

    /**
     * Reads {@code ROUTER_MODEL_ROUTES} (comma-separated {@code glob=backend}, first match wins),
     * {@code ROUTER_FALLBACKS} (comma-separated {@code backend:fallback}) and {@code PROMPT_BACKEND}.
     */
    static Routing fromEnv(Env env) {
        return new Routing(
                parseModelRoutes("ROUTER_MODEL_ROUTES", env.string("ROUTER_MODEL_ROUTES", DEFAULT_MODEL_ROUTES)),
                parseFallbacks("ROUTER_FALLBACKS", env.string("ROUTER_FALLBACKS", "")),
                backendName("PROMPT_BACKEND", env.string("PROMPT_BACKEND", DryrunBackend.NAME)));
    }

    /** The backends to try for {@code request}, first the chosen one, then its fallbacks. */
    Route resolve(AskRequest request) {
        String primary = primary(request);
        List<String> chain = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String next = primary; next != null && seen.add(next); next = fallbacks.get(next)) {
            chain.add(next);
        }
        return new Route(List.copyOf(chain), request.model());
    }

    private String primary(AskRequest request) {
        if (request.backend() != null) {
            return request.backend();
        }
        if (request.model() != null) {
            String model = request.model().toLowerCase(Locale.ROOT);
            for (Map.Entry<Pattern, String> route : modelRoutes) {
                if (route.getKey().matcher(model).matches()) {
                    return route.getValue();
                }
            }
        }
        return defaultBackend;
    }

    /**
     * Where an ask goes.
     *
     * @param backends the backend to try first, then its fallbacks in order (never empty)
     * @param requestedModel the model the client asked for; passed to the first backend only, since
     *     a fallback does not know another provider's model names
     */
    record Route(List<String> backends, String requestedModel) {
        String primary() {
            return backends.getFirst();
        }

        /** The model to ask {@code backend} for: the requested one on the primary, else its default. */
        String modelFor(String backend) {
            return backend.equals(primary()) ? requestedModel : null;
        }
    }

    static Map<Pattern, String> parseModelRoutes(String variable, String spec) {
        Map<Pattern, String> routes = new LinkedHashMap<>();
        for (String entry : entries(spec)) {
            String[] parts = entry.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank()) {
                throw new ConfigException(variable + " entries look like 'gpt-*=openai', got '" + entry + "'");
            }
            routes.put(glob(parts[0].strip().toLowerCase(Locale.ROOT)), backendName(variable, parts[1].strip()));
        }
        return routes;
    }

    static Map<String, String> parseFallbacks(String variable, String spec) {
        Map<String, String> fallbacks = new LinkedHashMap<>();
        for (String entry : entries(spec)) {
            String[] parts = entry.split(":", 2);
            if (parts.length != 2) {
                throw new ConfigException(variable + " entries look like 'openai:llama', got '" + entry + "'");
            }
            fallbacks.put(backendName(variable, parts[0].strip()), backendName(variable, parts[1].strip()));
        }
        return fallbacks;
    }

    private static List<String> entries(String spec) {
        return java.util.Arrays.stream(spec.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static String backendName(String variable, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(variable + " names a backend '" + name + "', which is not a valid backend name");
        }
        return name;
    }

    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
