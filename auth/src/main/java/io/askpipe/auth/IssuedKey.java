package io.askpipe.auth;

/**
 * A key just created: its stored record and, this once, its secret. The secret is shown to whoever
 * asked for the key and never again; only its hash is kept.
 */
public record IssuedKey(ApiKey key, String secret) {
    @Override
    public String toString() {
        return "IssuedKey[key=" + key + ", secret=****]";
    }
}
