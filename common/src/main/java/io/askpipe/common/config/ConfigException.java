package io.askpipe.common.config;

/** A setting is missing or invalid; the message names the environment variable. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
