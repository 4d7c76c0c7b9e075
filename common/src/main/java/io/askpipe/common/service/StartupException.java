package io.askpipe.common.service;

/** A component did not start: which one, what went wrong and what to check. */
public final class StartupException extends RuntimeException {
    public StartupException(String service, String step, String what, String fix, Throwable cause) {
        super(service + " could not start: " + step + " " + what + ". " + fix, cause);
    }
}
