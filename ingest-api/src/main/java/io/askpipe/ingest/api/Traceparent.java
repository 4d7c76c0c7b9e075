package io.askpipe.ingest.api;

import java.util.regex.Pattern;

/**
 * The W3C Trace Context {@code traceparent} header of version 00: {@code
 * 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}. A header that does not parse is ignored,
 * as the specification asks, never refused: tracing must not cost a client its ask.
 */
final class Traceparent {
    private static final Pattern VERSION_00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_PARENT = "0".repeat(16);

    private Traceparent() {}

    /** {@code header} when it is a valid version-00 traceparent, else {@code null}. */
    static String parse(String header) {
        if (header == null) {
            return null;
        }
        var match = VERSION_00.matcher(header.strip());
        if (!match.matches()
                || match.group(1).equals(ZERO_TRACE)
                || match.group(2).equals(ZERO_PARENT)) {
            return null;
        }
        return header.strip();
    }
}
