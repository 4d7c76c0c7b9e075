package io.askpipe.common.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class CallbackPolicyTest {
    private static final CallbackPolicy.Resolver LITERALS_ONLY = host -> {
        if (host.matches("[0-9a-fA-F:.]+")) {
            return new InetAddress[] {InetAddress.getByName(host)};
        }
        throw new UnknownHostException(host);
    };

    private static CallbackPolicy strict() {
        return new CallbackPolicy(false, List.of(), LITERALS_ONLY);
    }

    // Only loopback forms and documentation addresses are named as callbacks here: a test never
    // names a real private, link-local or metadata address as a target. The table test below
    // checks that those networks are refused.
    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.1.2.3",
                "0.0.0.0",
                "192.0.2.1",
                "[::1]",
                "[::]",
                "[::ffff:127.0.0.1]",
                "[64:ff9b::7f00:1]",
                "[64:ff9b::1:7f00:1]",
                "[2002:7f00:1::1]",
                "[2001:2::1]",
                "[100::1]",
                "[2001:db8::1]",
                "[3fff::1]"
            })
    void internalAddressesAreRefused(String host) {
        CallbackPolicy policy = strict();
        URI uri = policy.parse("https://" + host + "/hook");
        assertThatThrownBy(() -> policy.resolve(uri))
                .isInstanceOf(CallbackPolicy.Rejected.class)
                .hasMessage(CallbackPolicy.NOT_PUBLIC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "172.32.0.1", "[2606:4700::1111]"})
    void publicAddressesAreAllowed(String host) {
        CallbackPolicy policy = strict();
        assertThat(policy.resolve(policy.parse("https://" + host + ":8443/hook?x=1")))
                .hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2130706433",
                "0177.0.0.1",
                "0x7f.0.0.1",
                "0x7f000001",
                "127.1",
                "017700000001",
                "[::ffff:7f00:1]",
                "[0:0:0:0:0:ffff:a00:1]",
                "[::127.0.0.1]",
                "localhost"
            })
    void obscureSpellingsOfInternalAddressesAreRefusedByTheRealResolverToo(String host) {
        // whatever the platform's resolver makes of these (an address, or nothing), it is refused
        CallbackPolicy policy = new CallbackPolicy(false, List.of(), InetAddress::getAllByName);
        assertThatThrownBy(() -> policy.resolve(policy.parse("https://" + host + "/hook")))
                .isInstanceOf(CallbackPolicy.Rejected.class);
    }

    @Test
    void anAllowListedNetworkIsReachable() {
        CallbackPolicy policy = new CallbackPolicy(
                true, List.of(Network.parse("127.0.0.0/8"), Network.parse("2001:db8::/48")), LITERALS_ONLY);
        assertThat(policy.resolve(policy.parse("http://127.0.0.1:9000/hook"))).hasSize(1);
        assertThat(policy.resolve(policy.parse("http://[2001:db8::1]/hook"))).hasSize(1);
        assertThatThrownBy(() -> policy.resolve(policy.parse("http://[2001:db8:1::1]/hook")))
                .isInstanceOf(CallbackPolicy.Rejected.class);
        assertThatThrownBy(() -> policy.resolve(policy.parse("http://0.0.0.0/hook")))
                .isInstanceOf(CallbackPolicy.Rejected.class);
    }

    @Test
    void aNameIsRefusedWhenAnyOfItsAddressesIsInternal() throws UnknownHostException {
        InetAddress[] mixed = {InetAddress.getByName("8.8.8.8"), InetAddress.getByName("127.0.0.7")};
        CallbackPolicy policy = new CallbackPolicy(false, List.of(), host -> mixed);
        assertThatThrownBy(() -> policy.resolve(policy.parse("https://hooks.example.com/x")))
                .isInstanceOf(CallbackPolicy.Rejected.class)
                .hasMessage(CallbackPolicy.NOT_PUBLIC);
    }

    @Test
    void theCheckSeesWhatTheNameResolvesToNowNotWhenItWasSubmitted() throws UnknownHostException {
        AtomicReference<InetAddress> answer = new AtomicReference<>(InetAddress.getByName("8.8.8.8"));
        CallbackPolicy policy = new CallbackPolicy(false, List.of(), host -> new InetAddress[] {answer.get()});
        URI uri = policy.parse("https://rebind.example.com/hook");
        assertThat(policy.resolve(uri)).containsExactly(InetAddress.getByName("8.8.8.8"));

        answer.set(InetAddress.getByName("127.0.0.1"));
        assertThatThrownBy(() -> policy.resolve(uri)).isInstanceOf(CallbackPolicy.Rejected.class);
    }

    @Test
    void theFormIsCheckedBeforeAnyLookup() {
        CallbackPolicy policy = strict();
        assertThatThrownBy(() -> policy.parse("http://8.8.8.8/hook")).hasMessage("must be an https URL");
        assertThatThrownBy(() -> policy.parse("ftp://8.8.8.8/hook")).hasMessage("must be an https URL");
        assertThatThrownBy(() -> policy.parse("/relative")).hasMessage("must be an https URL");
        assertThatThrownBy(() -> policy.parse("https://user:pw@8.8.8.8/"))
                .hasMessageStartingWith("must not carry credentials");
        assertThatThrownBy(() -> policy.parse("https://8.8.8.8/#frag")).hasMessage("must not have a fragment");
        assertThatThrownBy(() -> policy.parse("https://8.8.010.8/")).hasMessageContaining("leading zeros");
        assertThat(policy.parse("https://8.8.10.8/").getHost()).isEqualTo("8.8.10.8");
        assertThatThrownBy(() -> policy.parse("https://8.8.8.8/a b")).hasMessageStartingWith("is not a valid URL");
        assertThatThrownBy(() -> policy.parse("https://8.8.8.8/" + "a".repeat(CallbackPolicy.MAX_LENGTH)))
                .hasMessageStartingWith("must be at most");
        assertThatThrownBy(() -> policy.resolve(policy.parse("https://no-such-host.invalid/")))
                .hasMessage(CallbackPolicy.NOT_PUBLIC);
    }

    @Test
    void httpIsAllowedOutsideProdUnlessSaidOtherwise() {
        assertThat(CallbackPolicy.fromEnv(Env.of(Map.of())).allowsHttp()).isFalse();
        assertThat(CallbackPolicy.fromEnv(Env.of(Map.of("CI", "true"))).allowsHttp())
                .isTrue();
        assertThat(CallbackPolicy.fromEnv(Env.of(Map.of("ASKPIPE_PROFILE", "dev")))
                        .allowsHttp())
                .isTrue();
        assertThat(CallbackPolicy.fromEnv(Env.of(Map.of("ASKPIPE_PROFILE", "dev", "WEBHOOK_ALLOW_HTTP", "false")))
                        .allowsHttp())
                .isFalse();
        assertThatThrownBy(() -> CallbackPolicy.fromEnv(Env.of(Map.of("WEBHOOK_ALLOWED_NETWORKS", "localhost"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WEBHOOK_ALLOWED_NETWORKS");
    }

    /** A resolver that answers every name with {@code address} as an {@link Inet6Address}, never folded. */
    private static CallbackPolicy.Resolver answering(String host, byte[] address) {
        return name -> new InetAddress[] {Inet6Address.getByAddress(host, address, -1)};
    }

    /** The 16 bytes of an IPv6 literal; an IPv4-mapped one too, which the JDK would fold to IPv4. */
    private static byte[] v6(String literal) {
        byte[] bytes = addr(literal).getAddress();
        if (bytes.length == 16) {
            return bytes;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return mapped;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::ffff:127.0.0.1", // IPv4-mapped, as a resolver hands it back
                "::ffff:0:127.0.0.1", // IPv4-translated
                "::127.0.0.1", // IPv4-compatible
                "64:ff9b::7f00:1", // NAT64
                "64:ff9b:1::7f00:1", // local-use NAT64
                "2002:7f00:1::", // 6to4
                "2002:7f00:1:1::1",
                "2001:0:5db8:d70e:0:0:80ff:fffe", // Teredo: public server, client 127.0.0.1 inverted
                "2001:0:7f00:1:0:0:f7f7:f7f7" // Teredo: server 127.0.0.1, public client
            })
    void resolvedIpv6FormsThatEmbedLoopbackAreRefusedAtSubmitAndAtDelivery(String literal) {
        byte[] bytes = v6(literal);
        CallbackPolicy policy = new CallbackPolicy(false, List.of(), answering("hooks.example.com", bytes));
        URI uri = policy.parse("https://hooks.example.com/hook");
        assertThatThrownBy(() -> policy.resolve(uri))
                .isInstanceOf(CallbackPolicy.Rejected.class)
                .hasMessage(CallbackPolicy.NOT_PUBLIC);
        InetAddress resolved = answer(bytes);
        assertThat(resolved).isInstanceOf(Inet6Address.class);
        assertThat(policy.permits(resolved)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2001:0:5db8:d70e:0:0:f7f7:f7f7"})
    void ipv6FormsOfAPublicAddressAreAllowed(String literal) {
        byte[] bytes = v6(literal);
        CallbackPolicy policy = new CallbackPolicy(false, List.of(), answering("hooks.example.com", bytes));
        assertThat(policy.resolve(policy.parse("https://hooks.example.com/hook")))
                .singleElement()
                .isInstanceOf(Inet6Address.class);
    }

    @Test
    void anAllowListedIpv4NetworkAdmitsItsEmbeddedFormsAndARefusedOneRefusesThem() {
        CallbackPolicy policy = new CallbackPolicy(true, List.of(Network.parse("127.0.0.0/8")), LITERALS_ONLY);
        assertThat(policy.permits(answer(v6("::ffff:127.0.0.1")))).isTrue();
        assertThat(policy.permits(answer(v6("64:ff9b::7f00:1")))).isTrue();
        assertThat(policy.permits(answer(v6("2002:7f00:1::")))).isTrue();
        assertThat(policy.permits(answer(v6("64:ff9b:1::7f00:1"))))
                .as("local-use NAT64 is refused whatever it embeds")
                .isFalse();
        assertThat(policy.permits(answer(v6("::ffff:192.0.2.1")))).isFalse();
        assertThat(policy.permits(answer(v6("::1")))).as("::1 is not 0.0.0.1").isFalse();
        CallbackPolicy ipv6Loopback = new CallbackPolicy(true, List.of(Network.parse("::1/128")), LITERALS_ONLY);
        assertThat(ipv6Loopback.permits(answer(v6("::1"))))
                .as("allow-listed as written")
                .isTrue();
    }

    @Test
    void aRefusalTellsTheClientNothingOfWhatTheNameResolvesToAndLogsIt() {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger logger = (Logger) LoggerFactory.getLogger(CallbackPolicy.class);
        logger.addAppender(logged);
        try {
            CallbackPolicy internal =
                    new CallbackPolicy(false, List.of(), answering("hooks.internal.example", v6("::ffff:127.0.0.1")));
            CallbackPolicy missing = new CallbackPolicy(false, List.of(), LITERALS_ONLY);
            String refusedAsInternal =
                    messageOf(() -> internal.resolve(internal.parse("https://hooks.internal.example/")));
            String refusedAsMissing =
                    messageOf(() -> missing.resolve(missing.parse("https://hooks.internal.example/")));

            assertThat(refusedAsInternal)
                    .as("the same for a name that resolves to an internal address as for one that does not resolve")
                    .isEqualTo(refusedAsMissing)
                    .isEqualTo(CallbackPolicy.NOT_PUBLIC)
                    .doesNotContain("127.0.0.1")
                    .doesNotContain("internal");
            assertThat(logged.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .satisfiesExactly(
                            first -> assertThat(first).contains("hooks.internal.example", "127.0.0.1"),
                            second -> assertThat(second).contains("hooks.internal.example", "does not resolve"));
            assertThat(logged.list).extracting(ILoggingEvent::getLevel).containsOnly(Level.WARN);
        } finally {
            logger.detachAppender(logged);
        }
    }

    private static String messageOf(Runnable refused) {
        try {
            refused.run();
        } catch (CallbackPolicy.Rejected e) {
            return e.getMessage();
        }
        throw new AssertionError("not refused");
    }

    private static InetAddress answer(byte[] bytes) {
        try {
            return answering("h", bytes).resolve("h")[0];
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0.0.0.0/8",
                "10.0.0.0/8",
                "100.64.0.0/10",
                "127.0.0.0/8",
                "169.254.0.0/16",
                "172.16.0.0/12",
                "192.0.0.0/24",
                "192.0.2.0/24",
                "192.168.0.0/16",
                "198.18.0.0/15",
                "198.51.100.0/24",
                "203.0.113.0/24",
                "224.0.0.0/4",
                "240.0.0.0/4",
                "255.255.255.255/32",
                "::1/128",
                "::/128",
                "64:ff9b:1::/48",
                "100::/64",
                "2001:2::/48",
                "2001:db8::/32",
                "fc00::/7",
                "fe80::/10",
                "ff00::/8"
            })
    void everyNetworkThatIsNotGloballyReachableIsInTheRefusedTable(String cidr) {
        Network special = Network.parse(cidr);
        assertThat(CallbackPolicy.REFUSED).as(cidr).anySatisfy(refused -> {
            assertThat(refused.prefixLength()).isLessThanOrEqualTo(special.prefixLength());
            assertThat(refused.contains(addr(special.toString().replaceFirst("/.*", ""))))
                    .isTrue();
        });
    }

    @Test
    void networksMatchByPrefix() {
        Network net = Network.parse("198.18.0.0/15");
        assertThat(net.contains(addr("198.19.255.1"))).isTrue();
        assertThat(net.contains(addr("198.20.0.1"))).isFalse();
        assertThat(net.contains(addr("::1"))).isFalse();
        assertThat(Network.parse("2001:db8::/33").contains(addr("2001:db8:7fff::1")))
                .isTrue();
        assertThat(Network.parse("2001:db8::/33").contains(addr("2001:db8:8000::1")))
                .isFalse();
        assertThat(Network.parse("0.0.0.0/0").contains(addr("8.8.8.8"))).isTrue();
        assertThat(Network.parse("192.0.2.1")).hasToString("192.0.2.1/32");
        assertThatThrownBy(() -> Network.parse("192.0.2.0/33")).isInstanceOf(IllegalArgumentException.class);
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
