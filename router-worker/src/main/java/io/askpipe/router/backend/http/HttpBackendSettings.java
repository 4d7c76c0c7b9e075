package io.askpipe.router.backend.http;

import io.askpipe.common.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Validation shared by the settings of the HTTP backends; every failure names its variable. */
public final class HttpBackendSettings {
    /** The highest {@code temperature} a provider accepts. */
    public static final double MAX_TEMPERATURE = 2.0;
    /** The most {@code max_tokens} a request may ask for. */
    public static final int MAX_TOKENS_LIMIT = 1_000_000;

    private HttpBackendSettings() {}

    /**
     * {@code value} as a base URL: an absolute http(s) URL with a host, no credentials and no query
     * or fragment, without trailing slashes.
     */
    public static String baseUrl(String variable, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(variable + " is required but not set");
        }
        if (value.contains("@")) {
            // never echo the value: it may hold a password
            throw new ConfigException(variable + " must not contain credentials (user:password@)");
        }
        String stripped = value.strip();
        while (stripped.endsWith("/")) {
            stripped = stripped.substring(0, stripped.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(stripped);
        } catch (URISyntaxException e) {
            throw notAnHttpUrl(variable, value);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw notAnHttpUrl(variable, value);
        }
        return stripped;
    }

    private static ConfigException notAnHttpUrl(String variable, String value) {
        return new ConfigException(variable + " must be an http:// or https:// URL, got '" + value + "'");
    }

    /** {@code value} if it is a model name. */
    public static String model(String variable, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(variable + " must name a model");
        }
        return value.strip();
    }

    /** {@code value} if it is {@code null} or in {@code [1, MAX_TOKENS_LIMIT]}. */
    public static Integer maxTokens(String variable, Integer value) {
        if (value != null && (value < 1 || value > MAX_TOKENS_LIMIT)) {
            throw new ConfigException(variable + " must be between 1 and " + MAX_TOKENS_LIMIT + ", got " + value);
        }
        return value;
    }

    /** {@code value} if it is {@code null} or in {@code [0, 2]}. */
    public static Double temperature(String variable, Double value) {
        if (value != null && !(value >= 0 && value <= MAX_TEMPERATURE)) {
            throw new ConfigException(variable + " must be between 0 and 2, got " + value);
        }
        return value;
    }

    /**
     * {@code value} if it is {@code null} or an API key: printable ASCII without spaces. The value
     * is never echoed: it is a secret.
     */
    public static String apiKey(String variable, String value) {
        if (value != null && (value.isBlank() || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new ConfigException(variable + " must be printable ASCII without spaces");
        }
        return value;
    }
}
