package io.askpipe.common.service;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.http.HttpSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A container health check that needs neither a shell nor an HTTP client in the image, only the
 * image's {@code java}:
 *
 * <pre>java -cp @/app/jib-classpath-file io.askpipe.common.service.HealthProbe [PATH [PORT]]</pre>
 *
 * asks the service in the same container for {@code PATH} (default {@code /readyz}) and exits 0
 * when it answers 2xx within two seconds, 1 otherwise. Liveness ({@code /healthz}, {@code /health})
 * is asked of the client port, {@code HTTP_PORT} (default 8080); every other path, such as {@code
 * /readyz}, of the operations port, {@code OPS_PORT} (default 9464); {@code PORT} overrides either. It
 * prints one line, the status and the start of the answer (a 503 names the components that are
 * down), which Docker keeps with the check's result. It uses only the JDK and loads no logging, so
 * it starts in a fraction of a second on a 16 MB heap.
 */
public final class HealthProbe {
    /** How long connecting, and then the answer, may take each. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final int BODY_CHARS = 300;

    /** The paths served on the client port; the others are on the operations port. */
    private static final java.util.Set<String> LIVENESS = java.util.Set.of("/healthz", "/health");

    /** {@code HTTP_PORT} as the images set it; a probe needs a real port, not 0. */
    static final Setting<Integer> CLIENT_PORT =
            HttpSettings.PORT.defaultsTo("8080").between(1, 65_535);

    /** {@code OPS_PORT} as the images set it; a probe needs a real port, not 0. */
    static final Setting<Integer> OPS_PORT = OpsSettings.PORT.defaultsTo("9464").between(1, 65_535);

    /** The probe's {@code PORT} argument, read as a port variable would be. */
    private static final Setting<Integer> PORT_ARGUMENT =
            Setting.integer("PORT", 1, 65_535).defaultsTo("8080").doc("the port to probe");

    private HealthProbe() {}

    public static void main(String[] args) {
        System.exit(run(args, Env.system(), System.out));
    }

    /** 0 when the service answered 2xx; 1 when it did not, or the arguments are wrong. */
    static int run(String[] args, Env env, PrintStream out) {
        try {
            if (args.length > 2 || (args.length > 0 && !args[0].startsWith("/"))) {
                throw new ConfigException("usage: HealthProbe [PATH [PORT]], e.g. HealthProbe /readyz 9464");
            }
            String path = args.length > 0 ? args[0] : "/readyz";
            boolean client = LIVENESS.contains(path);
            int port = args.length > 1
                    ? Env.of(Map.of(PORT_ARGUMENT.name(), args[1])).get(PORT_ARGUMENT)
                    : env.get(client ? CLIENT_PORT : OPS_PORT);
            String host = env.get(client ? HttpSettings.HOST : OpsSettings.HOST);
            URI uri = URI.create("http://" + localAddress(host) + ":" + port + path);
            return check(uri, TIMEOUT, out) ? 0 : 1;
        } catch (ConfigException | IllegalArgumentException e) {
            out.println("health probe: " + e.getMessage());
            return 1;
        }
    }

    /** Where the service is reached from inside its container: loopback when it listens on every address. */
    static String localAddress(String httpHost) {
        return switch (httpHost) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> httpHost.contains(":") && !httpHost.startsWith("[") ? "[" + httpHost + "]" : httpHost;
        };
    }

    /** Whether {@code GET uri} answers 2xx within {@code timeout} to connect and {@code timeout} to answer. */
    static boolean check(URI uri, Duration timeout, PrintStream out) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout((int) timeout.toMillis());
            connection.setReadTimeout((int) timeout.toMillis());
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false);
            int status = connection.getResponseCode();
            boolean healthy = status >= 200 && status < 300;
            out.println(status + " " + uri.getPath() + " "
                    + body(healthy ? connection.getInputStream() : connection.getErrorStream()));
            return healthy;
        } catch (IOException e) {
            out.println(uri + ": " + e);
            return false;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static String body(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            String text = new String(in.readNBytes(BODY_CHARS), StandardCharsets.UTF_8);
            return text.replaceAll("\\s+", " ").strip();
        }
    }
}
