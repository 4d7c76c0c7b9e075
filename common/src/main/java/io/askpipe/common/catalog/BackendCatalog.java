package io.askpipe.common.catalog;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Profile;
import io.askpipe.common.config.Setting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The backends a deployment has and the models its callers may name: the operator's allowlist,
 * read alike by ingest, which refuses an ask outside it with a 422, and by the router, which routes
 * only within it and fails an ask outside it (an older record, a replay) with a typed error. The
 * model routes, fallbacks and default backend are part of it, since each must name a registered
 * backend; which route answers an ask is the router's business. Model names and model patterns
 * compare without regard to case, as the routes always did. Immutable and thread-safe.
 */
public final class BackendCatalog {
    /** The backends every router implements, registered unless {@code ASKPIPE_BACKENDS} says otherwise. */
    public static final String DEFAULT_BACKENDS = "dryrun,openai,llama,anthropic";

    /**
     * Model patterns of the well-known families: OpenAI's models to openai, open models to llama,
     * Anthropic's to anthropic.
     */
    public static final String DEFAULT_MODEL_ROUTES = "gpt-*=openai,chatgpt-*=openai,o1*=openai,o3*=openai,o4*=openai,"
            + "llama*=llama,mistral*=llama,mixtral*=llama,qwen*=llama,gemma*=llama,phi*=llama,deepseek*=llama,"
            + "claude-*=anthropic";

    /** The backend of asks that neither name one nor match a route, unless {@code PROMPT_BACKEND} is set. */
    public static final String DEFAULT_BACKEND = "dryrun";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    /** A model name's characters, as ingest accepts them, and {@code *}. */
    private static final Pattern MODEL_GLOB = Pattern.compile("[A-Za-z0-9._:/*-]{1,128}");

    public static final Setting<List<String>> BACKENDS = Setting.of(
                    "ASKPIPE_BACKENDS", "backend names", BackendCatalog::backendNames)
            .defaultsTo(DEFAULT_BACKENDS)
            .doc("the registered backends, comma-separated: the only names an ask may give as `backend`");
    public static final Setting<List<ModelRoute>> MODEL_ROUTES = Setting.of(
                    "ROUTER_MODEL_ROUTES", "model routes", BackendCatalog::parseModelRoutes)
            .derivedDefault(
                    "`" + DEFAULT_MODEL_ROUTES + "`, less the routes to backends that are not registered", env -> {
                        List<String> registered = env.get(BACKENDS);
                        return parseModelRoutes("ROUTER_MODEL_ROUTES", DEFAULT_MODEL_ROUTES).stream()
                                .filter(route -> registered.contains(route.backend()))
                                .toList();
                    })
            .doc("model glob to backend, comma-separated, first match wins, case-insensitive");
    public static final Setting<String> PROMPT_BACKEND = Setting.text("PROMPT_BACKEND")
            .defaultsTo(DEFAULT_BACKEND)
            .doc("backend for asks that name neither a backend nor a model that a route matches");
    public static final Setting<List<String>> MODELS = Setting.of(
                    "ASKPIPE_MODELS", "model patterns", (name, raw) -> entries(raw))
            .derivedDefault(
                    "`*` (any) in the `dev` and `ci` profiles; none in `prod`",
                    env -> Profile.detect(env) == Profile.PROD ? List.of() : List.of("*"))
            .doc("the models a caller may name as `model`: comma-separated names or patterns (`*` for any run)");
    public static final Setting<Map<String, String>> FALLBACKS = Setting.of(
                    "ROUTER_FALLBACKS", "backend pairs", BackendCatalog::parseFallbacks)
            .defaultsTo("")
            .doc("`backend:fallback` pairs of registered backends, comma-separated");

    /**
     * A model pattern ({@code *} for any run of characters) and the backend of the models it
     * matches.
     *
     * @param pattern the pattern, in lower case, as a regular expression
     */
    public record ModelRoute(Pattern pattern, String backend) {
        /** The route from models matching {@code glob} (in any case) to {@code backend}. */
        public static ModelRoute of(String glob, String backend) {
            return new ModelRoute(glob(glob), backend);
        }
    }

    /** What refuses an ask: an unregistered backend or a model not permitted. */
    public enum RefusalKind {
        UNKNOWN_BACKEND,
        MODEL_NOT_PERMITTED
    }

    /**
     * Why an ask is outside the catalog.
     *
     * @param kind which rule it broke
     * @param pointer the JSON pointer of the offending field of the ask ({@code /backend}, {@code
     *     /model})
     * @param detail what is wrong with it, for the client, without the pointer
     */
    public record Refusal(RefusalKind kind, String pointer, String detail) {}

    private final List<String> backends;
    private final List<ModelRoute> modelRoutes;
    private final Map<String, String> fallbacks;
    private final String defaultBackend;
    private final List<String> permittedModels;
    private final List<Pattern> permittedPatterns;

    /**
     * @param backends {@code ASKPIPE_BACKENDS}: the registered backend names, in order
     * @param modelRoutes {@code ROUTER_MODEL_ROUTES}: model pattern to backend, first match wins
     * @param fallbacks {@code ROUTER_FALLBACKS}: backend to the backend that stands in when it is
     *     unavailable
     * @param defaultBackend {@code PROMPT_BACKEND}: the backend of asks that neither name one nor
     *     match a route
     * @param permittedModels {@code ASKPIPE_MODELS}: the model patterns a caller may name ({@code
     *     *}: any); empty, none
     * @throws ConfigException naming the variable, when a value is invalid or names a backend that
     *     is not registered
     */
    public BackendCatalog(
            List<String> backends,
            List<ModelRoute> modelRoutes,
            Map<String, String> fallbacks,
            String defaultBackend,
            List<String> permittedModels) {
        this.backends = List.copyOf(backends);
        this.modelRoutes = List.copyOf(modelRoutes);
        this.fallbacks = Map.copyOf(fallbacks);
        this.defaultBackend = defaultBackend;
        this.permittedModels = List.copyOf(permittedModels);
        if (backends.isEmpty()) {
            throw new ConfigException("ASKPIPE_BACKENDS must name at least one backend");
        }
        for (String backend : backends) {
            requireName("ASKPIPE_BACKENDS", backend);
        }
        if (new LinkedHashSet<>(backends).size() != backends.size()) {
            throw new ConfigException("ASKPIPE_BACKENDS names a backend twice: " + String.join(",", backends));
        }
        for (ModelRoute route : modelRoutes) {
            requireRegistered("ROUTER_MODEL_ROUTES", route.backend());
        }
        fallbacks.forEach((backend, fallback) -> {
            requireRegistered("ROUTER_FALLBACKS", backend);
            requireRegistered("ROUTER_FALLBACKS", fallback);
        });
        requireRegistered("PROMPT_BACKEND", requireName("PROMPT_BACKEND", defaultBackend));
        for (String glob : permittedModels) {
            if (!MODEL_GLOB.matcher(glob).matches()) {
                throw new ConfigException("ASKPIPE_MODELS entries are model names or patterns such as gpt-4o-mini"
                        + " or llama3*, got '" + glob + "'");
            }
        }
        this.permittedPatterns =
                permittedModels.stream().map(BackendCatalog::glob).toList();
    }

    /**
     * Reads {@code ASKPIPE_BACKENDS} (comma-separated names, default {@value #DEFAULT_BACKENDS}),
     * {@code ROUTER_MODEL_ROUTES} (comma-separated {@code glob=backend}; by default {@link
     * #DEFAULT_MODEL_ROUTES}, less the routes to backends that are not registered), {@code
     * ROUTER_FALLBACKS} (comma-separated {@code backend:fallback}), {@code PROMPT_BACKEND} (default
     * {@value #DEFAULT_BACKEND}) and {@code ASKPIPE_MODELS} (comma-separated model patterns, {@code
     * *} for any; default {@code *} in the dev and ci profiles, none in prod). A route, fallback or
     * default that names a backend not registered fails, naming its variable.
     */
    public static BackendCatalog fromEnv(Env env) {
        List<String> backends = env.get(BACKENDS);
        List<ModelRoute> routes = env.get(MODEL_ROUTES);
        String defaultBackend = env.get(PROMPT_BACKEND);
        if (!env.isSet(PROMPT_BACKEND) && !backends.contains(defaultBackend)) {
            throw new ConfigException("PROMPT_BACKEND is not set and its default, " + DEFAULT_BACKEND
                    + ", is not in ASKPIPE_BACKENDS (" + String.join(",", backends) + "); set it to one of them");
        }
        List<String> models = env.get(MODELS);
        return new BackendCatalog(backends, routes, env.get(FALLBACKS), defaultBackend, models);
    }

    /** The settings {@link #fromEnv} reads, the profile's among them. */
    public static List<Setting<?>> settings() {
        return Setting.union(List.of(BACKENDS, MODELS, PROMPT_BACKEND, MODEL_ROUTES, FALLBACKS), Profile.settings());
    }

    /** The registered backend names, in order: the only backend names of results and metrics. */
    public List<String> backends() {
        return backends;
    }

    /** The model routes, in the order they are tried. */
    public List<ModelRoute> modelRoutes() {
        return modelRoutes;
    }

    /** Backend to the backend that stands in when it is unavailable. */
    public Map<String, String> fallbacks() {
        return fallbacks;
    }

    /** The backend of asks that neither name one nor match a route. */
    public String defaultBackend() {
        return defaultBackend;
    }

    /** The model patterns a caller may name; empty when a caller may name none. */
    public List<String> permittedModels() {
        return permittedModels;
    }

    /** Whether {@code backend} is registered. */
    public boolean registered(String backend) {
        return backends.contains(backend);
    }

    /** The backend of the first model route that matches {@code model}, if one does. */
    public Optional<String> routeOf(String model) {
        String lower = model.toLowerCase(Locale.ROOT);
        for (ModelRoute route : modelRoutes) {
            if (route.pattern().matcher(lower).matches()) {
                return Optional.of(route.backend());
            }
        }
        return Optional.empty();
    }

    /** Whether a caller may name {@code model}. */
    public boolean permits(String model) {
        String lower = model.toLowerCase(Locale.ROOT);
        return permittedPatterns.stream().anyMatch(glob -> glob.matcher(lower).matches());
    }

    /**
     * Why an ask for {@code backend} and {@code model} (either {@code null}: not named) is outside
     * the catalog, or empty if it is inside. The backend is checked first.
     */
    public Optional<Refusal> refusal(String backend, String model) {
        if (backend != null && !registered(backend)) {
            return Optional.of(new Refusal(
                    RefusalKind.UNKNOWN_BACKEND,
                    "/backend",
                    "'" + backend + "' is not a backend of this deployment (it has " + String.join(", ", backends)
                            + ")"));
        }
        if (model != null && !permits(model)) {
            return Optional.of(new Refusal(
                    RefusalKind.MODEL_NOT_PERMITTED,
                    "/model",
                    permittedModels.isEmpty()
                            ? "'" + model + "' is not permitted: this deployment names no models a caller may"
                                    + " ask for; leave model out for the backend's default model"
                            : "'" + model + "' is not a permitted model (permitted: "
                                    + String.join(", ", permittedModels) + ")"));
        }
        return Optional.empty();
    }

    private static List<ModelRoute> parseModelRoutes(String variable, String spec) {
        List<ModelRoute> routes = new ArrayList<>();
        for (String entry : entries(spec)) {
            String[] parts = entry.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank()) {
                throw new ConfigException(variable + " entries look like 'gpt-*=openai', got '" + entry + "'");
            }
            routes.add(ModelRoute.of(parts[0].strip(), requireName(variable, parts[1].strip())));
        }
        return routes;
    }

    private static Map<String, String> parseFallbacks(String variable, String spec) {
        Map<String, String> fallbacks = new LinkedHashMap<>();
        for (String entry : entries(spec)) {
            String[] parts = entry.split(":", 2);
            if (parts.length != 2) {
                throw new ConfigException(variable + " entries look like 'openai:llama', got '" + entry + "'");
            }
            fallbacks.put(requireName(variable, parts[0].strip()), requireName(variable, parts[1].strip()));
        }
        return fallbacks;
    }

    private static List<String> backendNames(String variable, String spec) {
        List<String> backends = entries(spec);
        if (backends.isEmpty()) {
            throw new ConfigException(variable + " must name at least one backend");
        }
        return backends;
    }

    private static List<String> entries(String spec) {
        return Arrays.stream(spec.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static String requireName(String variable, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(variable + " names a backend '" + name + "', which is not a valid backend name");
        }
        return name;
    }

    private void requireRegistered(String variable, String backend) {
        if (!backends.contains(backend)) {
            throw new ConfigException(variable + " names the backend '" + backend
                    + "', which is not in ASKPIPE_BACKENDS (" + String.join(",", backends) + ")");
        }
    }

    /** A glob where {@code *} stands for any run of characters, to match models in lower case. */
    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.toLowerCase(Locale.ROOT).split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
