package io.askpipe.common.callback;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Profile;
import io.askpipe.common.config.Setting;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which webhook callback URLs askpipe will call: the guard against server-side request forgery. A
 * callback must be an absolute {@code https} URL ({@code http} too outside the prod profile, or with
 * {@code WEBHOOK_ALLOW_HTTP}), without credentials or a fragment, whose host resolves only to
 * public unicast addresses. Loopback, link-local (the cloud metadata address among them), private,
 * unique-local, carrier-grade NAT, multicast, unspecified, documentation and reserved addresses
 * (one table, {@link #REFUSED}) are refused unless a network in {@code WEBHOOK_ALLOWED_NETWORKS}
 * contains them. Ingest
 * checks a URL when the ask is submitted; the result store checks it again, against the address it
 * is about to connect to, before every delivery, so a name that resolves differently later (DNS
 * rebinding) gains nothing. Thread-safe.
 *
 * <p>An IPv6 address that embeds an IPv4 address is judged by the IPv4 address, exactly as that
 * address would be: IPv4-mapped ({@code ::ffff:0:0/96}, whether a resolver hands it back as an
 * {@link Inet6Address} or the JDK folds it into an {@link java.net.Inet4Address}), IPv4-translated
 * ({@code ::ffff:0:0:0/96}), IPv4-compatible ({@code ::/96}), NAT64 ({@code 64:ff9b::/96}), 6to4
 * ({@code 2002::/16}) and Teredo ({@code 2001::/32}: both its server, bits 32-63, and its client,
 * the last 32 bits inverted, must be permitted). So {@code ::ffff:169.254.169.254} is refused as
 * 169.254.169.254 is, and allow-listing {@code 127.0.0.0/8} admits {@code ::ffff:127.0.0.1} as
 * well. These prefixes themselves refuse nothing: NAT64 of a public address is how an IPv6-only
 * network (DNS64) reaches an IPv4-only receiver, and the other forms of a public address lead to
 * that public address too. The local-use NAT64 prefix {@code 64:ff9b:1::/48} (RFC 8215) is refused
 * outright, as unique-local addresses are: it is a local network's own translator, and since its
 * operator chooses where in it the IPv4 address sits (RFC 6052 allows several layouts, and a
 * translator may ignore the bits that should be zero), the address alone cannot say which IPv4
 * address it reaches. An allow-listed network that contains an IPv6 address as written admits it
 * whatever it embeds, so allow-list IPv4 networks rather than IPv6 prefixes of these forms.
 *
 * <p>A refusal tells the client only that the URL must resolve to public addresses, whether the
 * host did not resolve or resolved to a refused address, so that the answer reveals nothing of
 * internal names; the host and its addresses go to the log (a warning).
 */
public final class CallbackPolicy {
    public static final Setting<Boolean> ALLOW_HTTP = Setting.flag("WEBHOOK_ALLOW_HTTP")
            .derivedDefault(
                    "`true` in the `dev` and `ci` profiles, `false` in `prod`",
                    env -> Profile.detect(env) != Profile.PROD)
            .doc("whether callbacks may be plain `http`; otherwise only `https`");
    public static final Setting<List<Network>> ALLOWED_NETWORKS = Setting.of(
                    "WEBHOOK_ALLOWED_NETWORKS", "CIDR networks", CallbackPolicy::networks)
            .defaultsTo("")
            .doc("CIDR networks, comma-separated, that callbacks may reach although they are internal");

    /** The longest callback URL accepted. */
    public static final int MAX_LENGTH = 2048;

    /**
     * Addresses no callback may reach unless allow-listed: every block of IANA's IPv4 and IPv6
     * special-purpose registries that is not globally reachable, and the blocks around them that a
     * webhook receiver never lives in. An IPv6 address that embeds an IPv4 address is judged by that
     * address before this table is consulted, so {@code ::/8} refuses only what is left of it.
     */
    static final List<Network> REFUSED = Stream.of(
                    "0.0.0.0/8", // "this" network, and the unspecified address
                    "10.0.0.0/8", // private
                    "100.64.0.0/10", // carrier-grade NAT
                    "127.0.0.0/8", // loopback
                    "169.254.0.0/16", // link-local, the cloud metadata address among them
                    "172.16.0.0/12", // private
                    "192.0.0.0/24", // IETF protocol assignments
                    "192.0.2.0/24", // documentation
                    "192.88.99.0/24", // 6to4 relay anycast (deprecated)
                    "192.168.0.0/16", // private
                    "198.18.0.0/15", // benchmarking
                    "198.51.100.0/24", // documentation
                    "203.0.113.0/24", // documentation
                    "224.0.0.0/4", // multicast
                    "240.0.0.0/4", // reserved, and the broadcast address
                    "::/8", // IETF reserved: loopback, unspecified, and what no embedded form explains
                    "64:ff9b:1::/48", // local-use NAT64: a local translator, to IPv4 addresses it chooses
                    "100::/64", // discard-only
                    "2001::/23", // IETF protocol assignments (Teredo is judged by what it embeds)
                    "2001:db8::/32", // documentation
                    "3fff::/20", // documentation
                    "5f00::/16", // segment routing identifiers
                    "fc00::/7", // unique local
                    "fe80::/10", // link-local
                    "fec0::/10", // site-local (deprecated)
                    "ff00::/8") // multicast
            .map(Network::parse)
            .toList();

    // IPv4-mapped (built by hand: the JDK folds its literal to IPv4), IPv4-translated,
    // IPv4-compatible and NAT64 carry the IPv4 address in their last 32 bits
    private static final Network MAPPED =
            new Network(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0}, 96);
    private static final Network TRANSLATED = Network.parse("::ffff:0:0:0/96");
    private static final Network COMPATIBLE = Network.parse("::/96");
    private static final Network NAT64 = Network.parse("64:ff9b::/96");
    /** 6to4: the IPv4 address in bits 16-47. */
    private static final Network SIX_TO_FOUR = Network.parse("2002::/16");
    /** Teredo: the server's IPv4 address in bits 32-63, the client's inverted in bits 96-127. */
    private static final Network TEREDO = Network.parse("2001::/32");

    /** The generic reason a resolved callback is refused, the same whatever the host resolved to. */
    public static final String NOT_PUBLIC = "must resolve only to public addresses";

    private static final Logger LOG = LoggerFactory.getLogger(CallbackPolicy.class);

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
        return new CallbackPolicy(env.get(ALLOW_HTTP), env.get(ALLOWED_NETWORKS), InetAddress::getAllByName);
    }

    /** The settings {@link #fromEnv} reads, the profile's among them. */
    public static List<Setting<?>> settings() {
        return Setting.union(List.of(ALLOW_HTTP, ALLOWED_NETWORKS), Profile.settings());
    }

    private static List<Network> networks(String name, String raw) {
        try {
            return Arrays.stream(raw.split(","))
                    .filter(part -> !part.isBlank())
                    .map(Network::parse)
                    .toList();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
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
     * throws {@link Rejected} with {@link #NOT_PUBLIC} when the host does not resolve or any
     * address is refused, and logs which (a warning). Blocks on DNS: call it off the event loop.
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
            addresses = new InetAddress[0];
        }
        if (addresses.length == 0) {
            LOG.warn("callback refused: its host {} does not resolve", host);
            throw new Rejected(NOT_PUBLIC);
        }
        for (InetAddress address : addresses) {
            if (!permits(address)) {
                LOG.warn(
                        "callback refused: its host {} resolves to {}, and {} is a loopback, private, link-local"
                                + " or otherwise internal address",
                        host,
                        Arrays.stream(addresses)
                                .map(InetAddress::getHostAddress)
                                .toList(),
                        describe(address));
                throw new Rejected(NOT_PUBLIC);
            }
        }
        return List.of(addresses);
    }

    /**
     * Whether a callback may connect to {@code address}: an allow-listed network contains it, or it
     * is public; an IPv6 address that embeds IPv4 addresses is public when each of them is
     * permitted.
     */
    public boolean permits(InetAddress address) {
        if (allowed.stream().anyMatch(network -> network.contains(address))) {
            return true;
        }
        if (address instanceof Inet6Address v6) {
            List<Inet4Address> embedded = embeddedIpv4(v6);
            if (!embedded.isEmpty()) {
                return embedded.stream().allMatch(this::permits);
            }
        }
        return REFUSED.stream().noneMatch(network -> network.contains(address));
    }

    /** The address as written, and the IPv4 addresses it embeds. */
    private static String describe(InetAddress address) {
        if (address instanceof Inet6Address v6 && !embeddedIpv4(v6).isEmpty()) {
            return address.getHostAddress() + " (embedding "
                    + embeddedIpv4(v6).stream().map(InetAddress::getHostAddress).toList() + ")";
        }
        return address.getHostAddress();
    }

    /** The IPv4 addresses {@code address} embeds, by the forms of the class comment; none for others. */
    static List<Inet4Address> embeddedIpv4(Inet6Address address) {
        byte[] b = address.getAddress();
        List<Inet4Address> embedded = new ArrayList<>(2);
        if (MAPPED.contains(address)
                || TRANSLATED.contains(address)
                || COMPATIBLE.contains(address)
                || NAT64.contains(address)) {
            embedded.add(ipv4(b, 12, 13, 14, 15));
        } else if (SIX_TO_FOUR.contains(address)) {
            embedded.add(ipv4(b, 2, 3, 4, 5));
        } else if (TEREDO.contains(address)) {
            embedded.add(ipv4(b, 4, 5, 6, 7));
            byte[] client = {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]};
            embedded.add(ipv4(client, 0, 1, 2, 3));
        }
        return embedded;
    }

    private static Inet4Address ipv4(byte[] bytes, int... at) {
        byte[] v4 = {bytes[at[0]], bytes[at[1]], bytes[at[2]], bytes[at[3]]};
        try {
            return (Inet4Address) InetAddress.getByAddress(v4);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }
}
