package io.askpipe.common;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which webhook callback URLs askpipe will call: the guard against server-side request forgery. A
 * callback must be an absolute {@code https} URL ({@code http} too outside the prod profile, or with
 * {@code WEBHOOK_ALLOW_HTTP}), without credentials or a fragment, whose host resolves only to
 * public unicast addresses. Loopback, link-local (the cloud metadata address 169.254.169.254
 * among them), private, unique-local, carrier-grade NAT, multicast, unspecified and reserved
 * addresses are refused unless a network in {@code WEBHOOK_ALLOWED_NETWORKS} contains them. Ingest
 * checks a URL when the ask is submitted; the result store checks it again, against the address it
 * is about to connect to, before every delivery, so a name that resolves differently later (DNS
 * rebinding) gains nothing. Thread-safe.
 */
public final class CallbackPolicy {
    /** The longest callback URL accepted. */
    public static final int MAX_LENGTH = 2048;

    /** Addresses no callback may reach unless allow-listed, beyond what {@link InetAddress} flags. */
    private static final List<Network> RESERVED = Stream.of(
                    "0.0.0.0/8", // "this" network
                    "100.64.0.0/10", // carrier-grade NAT
                    "192.0.0.0/24", // IETF protocol assignments
                    "192.0.2.0/24", // documentation
                    "198.18.0.0/15", // benchmarking
                    "198.51.100.0/24", // documentation
                    "203.0.113.0/24", // documentation
                    "240.0.0.0/4", // reserved, and the broadcast address
                    "::/96", // IPv4-compatible (deprecated)
                    "64:ff9b::/96", // NAT64: may reach any IPv4 address, private ones included
                    "2002::/16", // 6to4: embeds an IPv4 address
                    "fc00::/7", // unique local
                    "2001:db8::/32") // documentation
            .map(Network::parse)
            .toList();

    private static final Pattern AMBIGUOUS_IPV4 = Pattern.compile("[0-9.]*(^|\\.)0[0-9][0-9.]*");

    /** Looks a host name up; {@link InetAddress#getAllByName} unless a test says otherwise. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Why a callback URL is refused; the message is meant for the client. */
    public static final class Rejected extends RuntimeException {
        public Rejected(String message) {
            super(message, null, false, false);
        }
    }

    private final boolean allowHttp;
    private final List<Network> allowed;
    private final Resolver resolver;

    public CallbackPolicy(boolean allowHttp, List<Network> allowed, Resolver resolver) {
        this.allowHttp = allowHttp;
        this.allowed = List.copyOf(allowed);
        this.resolver = resolver;
    }

    /**
     * Reads {@code WEBHOOK_ALLOW_HTTP} (default: true except in the prod profile) and {@code
     * WEBHOOK_ALLOWED_NETWORKS} (comma-separated CIDR networks, default none).
     */
    public static CallbackPolicy fromEnv(Env env) {
        boolean allowHttp = env.bool("WEBHOOK_ALLOW_HTTP", Profile.detect(env) != Profile.PROD);
        List<Network> allowed;
        try {
            allowed = env.optional("WEBHOOK_ALLOWED_NETWORKS").stream()
                    .flatMap(raw -> Arrays.stream(raw.split(",")))
                    .filter(part -> !part.isBlank())
                    .map(Network::parse)
                    .toList();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("WEBHOOK_ALLOWED_NETWORKS: " + e.getMessage());
        }
        return new CallbackPolicy(allowHttp, allowed, InetAddress::getAllByName);
    }

    /** Whether plain {@code http} callbacks are allowed. */
    public boolean allowsHttp() {
        return allowHttp;
    }

    /** Checks the form of {@code raw} (no lookups) and returns it parsed. */
    public URI parse(String raw) {
        if (raw.length() > MAX_LENGTH) {
            throw new Rejected("must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw new Rejected("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw new Rejected(allowHttp ? "must be an http or https URL" : "must be an https URL");
        }
        if (uri.getHost() == null || uri.getRawAuthority() == null) {
            throw new Rejected("must name a host");
        }
        if (AMBIGUOUS_IPV4.matcher(uri.getHost()).matches()) {
            // 0177.0.0.1 is 177.0.0.1 to Java but 127.0.0.1 to inet_aton: refuse the ambiguity
            throw new Rejected("has an IPv4 address with leading zeros, which resolvers read differently");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Rejected("must not carry credentials; authenticate the webhook by its signature");
        }
        if (uri.getRawFragment() != null) {
            throw new Rejected("must not have a fragment");
        }
        return uri;
    }

    /**
     * Resolves the host of {@code uri} and returns its addresses, every one of them permitted;
     * throws {@link Rejected} when the host does not resolve or any address is refused. Blocks on
     * DNS: call it off the event loop.
     */
    public List<InetAddress> resolve(URI uri) {
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new Rejected("has a host that does not resolve: " + host);
        }
        if (addresses.length == 0) {
            throw new Rejected("has a host that does not resolve: " + host);
        }
        for (InetAddress address : addresses) {
            if (!permits(address)) {
                throw new Rejected("resolves to " + address.getHostAddress()
                        + ", a loopback, private, link-local or otherwise internal address");
            }
        }
        return List.of(addresses);
    }

    /** Whether a callback may connect to {@code address}. */
    public boolean permits(InetAddress address) {
        if (allowed.stream().anyMatch(network -> network.contains(address))) {
            return true;
        }
        return !(address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()
                || RESERVED.stream().anyMatch(network -> network.contains(address)));
    }
}
