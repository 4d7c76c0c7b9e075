package io.askpipe.auth;

/** An API key found by its secret, with the user it belongs to; revoked or not, enabled or not. */
public record Credential(ApiKey key, User user) {
    /** True when the key may be used: not revoked, and its user not disabled. */
    public boolean usable() {
        return !key.revoked() && !user.disabled();
    }
}
