package io.askpipe.common.callback;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation, such as {@code 10.0.0.0/8} or {@code fc00::/7}, parsed
 * from literals only (never a name to look up) and matched by Netty's {@link IpSubnetFilterRule}.
 * Immutable and thread-safe.
 */
public final class Network {
    private final byte[] address;
    private final int prefixLength;
    private final IpSubnetFilterRule rule;

    /**
     * The network of {@code address} (4 or 16 bytes; 16 stay IPv6, even an IPv4-mapped prefix) whose
     * first {@code prefixLength} bits identify it.
     */
    public Network(byte[] address, int prefixLength) {
        this.address = address.clone();
        this.prefixLength = prefixLength;
        if (prefixLength < 0 || prefixLength > address.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " does not fit the address");
        }
        this.rule = new IpSubnetFilterRule(inet(this.address), prefixLength, IpFilterRuleType.ACCEPT);
    }

    /** Parses {@code 10.0.0.0/8}, {@code ::1/128}, or a bare address (a network of one). */
    public static Network parse(String cidr) {
        String text = cidr.strip();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        if (!host.matches("[0-9a-fA-F:.]+")) {
            // only literals: a host name here would make InetAddress look it up in DNS
            throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR network");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR network", e);
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' has no valid prefix length", e);
        }
        return new Network(bytes, prefix);
    }

    /** Whether {@code candidate} lies in this network; an IPv4 address never lies in an IPv6 one. */
    public boolean contains(InetAddress candidate) {
        return rule.matches(new InetSocketAddress(candidate, 0));
    }

    /** The network's address bytes (4 or 16). */
    public byte[] address() {
        return address.clone();
    }

    /** How many leading bits identify the network. */
    public int prefixLength() {
        return prefixLength;
    }

    /** The address of {@code bytes}, never folded: 16 bytes are IPv6 even where the JDK would say IPv4. */
    private static InetAddress inet(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Network that
                && prefixLength == that.prefixLength
                && Arrays.equals(address, that.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefixLength;
    }

    @Override
    public String toString() {
        return inet(address).getHostAddress() + "/" + prefixLength;
    }
}
