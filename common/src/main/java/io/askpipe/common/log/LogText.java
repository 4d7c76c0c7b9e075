package io.askpipe.common.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The converters of the text log format ({@code LOG_FORMAT=text}, logback.xml) that keep a logged
 * value from forging a line or a field: a request's path, headers, Idempotency-Key, model name or
 * callback URL may hold a line break and a fake line after it. The message ({@code %safeMessage})
 * and an exception's messages ({@code %safeException}) have their control characters, line and
 * paragraph separators and invisible formatting characters escaped ({@code \n}, {@code \r},
 * {@code \t}, {@code \}{@code uXXXX}); the context fields ({@code %safeFields}) come before the
 * message as {@code key="value"}, the value's quotes and backslashes escaped as well, so that
 * nothing in the message can pass for a field. The JSON format needs none of this: every value is
 * a JSON string there. Stateless and thread-safe.
 */
public final class LogText {
    private LogText() {}

    /** {@code text} with every character that could break or disguise a log line escaped. */
    public static String escape(String text) {
        return escape(text, false);
    }

    private static String escape(String text, boolean quoted) {
        if (text == null) {
            return null;
        }
        int first = 0;
        while (first < text.length() && !needsEscape(text.charAt(first), quoted)) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c, quoted)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(char c, boolean quoted) {
        if (c >= 0x20 && c < 0x7f) {
            return quoted && (c == '"' || c == '\\');
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, // C0, DEL and C1, NEL among them
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR,
                    Character.FORMAT -> true; // bidirectional overrides, zero-width characters
            default -> false;
        };
    }

    /** {@code %safeMessage}: the formatted message, escaped. */
    public static final class Message extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return escape(event.getFormattedMessage());
        }
    }

    /**
     * {@code %safeFields}: the thread's context ({@link LogContext}) as {@code key="value"} pairs
     * by key, each after a space; nothing when there is none.
     */
    public static final class Fields extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            Map<String, String> fields = event.getMDCPropertyMap();
            if (fields == null || fields.isEmpty()) {
                return "";
            }
            StringBuilder out = new StringBuilder();
            new TreeMap<>(fields)
                    .forEach((key, value) -> out.append(' ')
                            .append(key.replaceAll("[^A-Za-z0-9_.-]", "_"))
                            .append("=\"")
                            .append(escape(value, true))
                            .append('"'));
            return out.toString();
        }
    }

    /**
     * {@code %safeException}: the exception as logback prints it, a frame per line, with its
     * messages and those of its causes escaped.
     */
    public static final class StackTrace extends ThrowableProxyConverter {
        @Override
        protected String throwableProxyToString(IThrowableProxy proxy) {
            return super.throwableProxyToString(new Escaped(proxy));
        }
    }

    /** A throwable whose messages, and its causes' and suppressed throwables' ones, are escaped. */
    private record Escaped(IThrowableProxy proxy) implements IThrowableProxy {
        @Override
        public String getMessage() {
            return escape(proxy.getMessage());
        }

        @Override
        public String getOverridingMessage() {
            return escape(proxy.getOverridingMessage());
        }

        @Override
        public String getClassName() {
            return escape(proxy.getClassName());
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return proxy.getCause() == null ? null : new Escaped(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            return suppressed == null
                    ? null
                    : Arrays.stream(suppressed).map(Escaped::new).toArray(IThrowableProxy[]::new);
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
