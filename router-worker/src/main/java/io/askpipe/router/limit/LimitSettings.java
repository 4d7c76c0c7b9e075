package io.askpipe.router.limit;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The provider limits the worker reads from its environment: per registered backend {@code
 * <BACKEND>_RPM}, {@code <BACKEND>_TPM} and {@code <BACKEND>_MAX_CONCURRENCY}, and per model {@code
 * ROUTER_MODEL_LIMITS} ({@code openai/gpt-4o:rpm=500,tpm=30000;anthropic/claude-x:rpm=50}).
 *
 * @param backends each registered backend's limits (absent or {@link Limits#NONE}: none)
 * @param models limits of a backend's model, keyed {@code backend/model}, on top of the backend's
 * @param pauseRefresh {@code ROUTER_PAUSE_REFRESH_MS}: how often a worker reads the pauses other
 *     workers set after a provider's 429 (default 1000)
 */
public record LimitSettings(Map<String, Limits> backends, Map<String, Limits> models, Duration pauseRefresh) {
    public static final Setting<Long> BACKEND_RPM = Setting.longInteger("<BACKEND>_RPM", 0, 100_000_000)
            .defaultsTo("0")
            .doc("requests per minute to that backend, across all workers (0: no limit); over it asks wait");
    public static final Setting<Long> BACKEND_TPM = Setting.longInteger("<BACKEND>_TPM", 0, 10_000_000_000L)
            .defaultsTo("0")
            .doc("tokens per minute to that backend (prompt estimated before, settled with the usage after), across"
                    + " all workers (0: no limit)");
    public static final Setting<Integer> BACKEND_MAX_CONCURRENCY = Setting.integer(
                    "<BACKEND>_MAX_CONCURRENCY", 0, 10_000)
            .defaultsTo("0")
            .doc("calls to that backend at once, across all workers (0: no limit)");
    public static final Setting<Map<String, Limits>> MODEL_LIMITS = Setting.of(
                    "ROUTER_MODEL_LIMITS", "model limits", LimitSettings::parseModels)
            .defaultsTo("")
            .doc("limits per model on top of the backend's: `backend/model:rpm=N,tpm=N,concurrency=N;...`");
    public static final Setting<Duration> PAUSE_REFRESH = Setting.millis("ROUTER_PAUSE_REFRESH_MS", 10, 60_000)
            .defaultsTo("1000")
            .doc("how often a worker reads the pause another worker set after a provider's 429");

    public LimitSettings {
        backends = Map.copyOf(backends);
        models = Map.copyOf(models);
    }

    /** No limits: every call goes at once. */
    public static LimitSettings none() {
        return new LimitSettings(Map.of(), Map.of(), Duration.ofSeconds(1));
    }

    /** The limits of the registered {@code backends}; a model limit names one of them. */
    public static LimitSettings fromEnv(Env env, List<String> backends) {
        Map<String, Limits> perBackend = new LinkedHashMap<>();
        for (String backend : backends) {
            Limits limits = new Limits(
                    env.get(BACKEND_RPM.forKey(backend)),
                    env.get(BACKEND_TPM.forKey(backend)),
                    env.get(BACKEND_MAX_CONCURRENCY.forKey(backend)));
            if (!limits.none()) {
                perBackend.put(backend, limits);
            }
        }
        Map<String, Limits> models = env.get(MODEL_LIMITS);
        for (String key : models.keySet()) {
            String backend = key.substring(0, key.indexOf('/'));
            if (!backends.contains(backend)) {
                throw new ConfigException(MODEL_LIMITS.name() + " names backend '" + backend
                        + "', which is not registered (ASKPIPE_BACKENDS: " + String.join(",", backends) + ")");
            }
        }
        return new LimitSettings(perBackend, models, env.get(PAUSE_REFRESH));
    }

    /** The settings {@link #fromEnv} reads. */
    public static List<Setting<?>> settings() {
        return List.of(BACKEND_RPM, BACKEND_TPM, BACKEND_MAX_CONCURRENCY, MODEL_LIMITS, PAUSE_REFRESH);
    }

    /** The limits of {@code backend}, none when it has none. */
    public Limits backend(String backend) {
        return backends.getOrDefault(backend, Limits.NONE);
    }

    /** The limits of {@code model} at {@code backend}, if it has its own. */
    public Optional<Limits> model(String backend, String model) {
        return Optional.ofNullable(models.get(backend + "/" + model));
    }

    /** Whether no backend and no model has a limit. */
    public boolean isEmpty() {
        return backends.isEmpty() && models.isEmpty();
    }

    static Map<String, Limits> parseModels(String name, String raw) {
        Map<String, Limits> models = new LinkedHashMap<>();
        for (String entry : raw.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            String key = colon < 0 ? "" : entry.substring(0, colon).trim();
            int slash = key.indexOf('/');
            if (colon < 0 || slash <= 0 || slash == key.length() - 1) {
                throw new ConfigException(
                        name + ": '" + entry.trim() + "' is not backend/model:rpm=N,tpm=N,concurrency=N");
            }
            long rpm = 0;
            long tpm = 0;
            long concurrency = 0;
            for (String pair : entry.substring(colon + 1).split(",")) {
                String[] kv = pair.trim().split("=", 2);
                long value = number(name, entry, kv);
                switch (kv[0].trim()) {
                    case "rpm" -> rpm = value;
                    case "tpm" -> tpm = value;
                    case "concurrency" -> concurrency = value;
                    default ->
                        throw new ConfigException(name + ": '" + kv[0].trim() + "' in '" + entry.trim()
                                + "' is not a limit (rpm, tpm, concurrency)");
                }
            }
            if (concurrency > 10_000) {
                throw new ConfigException(name + ": concurrency in '" + entry.trim() + "' is over 10000");
            }
            if (models.put(key, new Limits(rpm, tpm, (int) concurrency)) != null) {
                throw new ConfigException(name + " names " + key + " twice");
            }
        }
        return Map.copyOf(models);
    }

    private static long number(String name, String entry, String[] kv) {
        try {
            if (kv.length == 2) {
                long value = Long.parseLong(kv[1].trim());
                if (value >= 0) {
                    return value;
                }
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new ConfigException(name + ": '" + String.join("=", kv).trim() + "' in '" + entry.trim()
                + "' is not limit=N with N a whole number, 0 or more");
    }
}
