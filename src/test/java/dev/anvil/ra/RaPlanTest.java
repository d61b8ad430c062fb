package dev.anvil.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anvil.config.ConfigLoader;
import dev.anvil.config.DnsConfig;
import dev.anvil.config.RaConfig;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which links get RAs, on which interface, with which RDNSS: pure, from networks and a list of interfaces. */
class RaPlanTest {
    static final Addressing ULA = new Addressing(0x7f4d8a87f4L);
    static final Network ADMIN = net("admin", 1, "10.10.0.0/24", "auto", false);
    static final Network STORAGE = net("storage", 3, "10.20.0.0/24", "fd00:1234:5678:3::/64", false);
    static final Network V4ONLY = net("v4only", 4, "10.40.0.0/24", "none", false);
    static final Network PROXY = net("proxied", 5, "10.50.0.0/24", "auto", true);
    static final Network RELAYED = net("relayed", 6, "10.60.0.0/24", "auto", false);

    static final HostInterface ETH1 = new HostInterface(
            "eth1",
            List.of(Ipv4Address.parse("10.10.0.1")),
            List.of(v6("fd7f:4d8a:87f4:1::1"), v6("2001:db8::1"), v6("fd7f:4d8a:87f4:1::53")));
    static final HostInterface ETH2 =
            new HostInterface("eth2", List.of(Ipv4Address.parse("10.20.0.1")), List.of(v6("fd00:1234:5678:3::1")));
    static final HostInterface ETH4 = new HostInterface("eth4", List.of(Ipv4Address.parse("10.40.0.1")), List.of());
    static final HostInterface ETH5 = new HostInterface("eth5", List.of(Ipv4Address.parse("10.50.0.1")), List.of());

    static Network net(String name, int id, String cidr, String v6, boolean proxy) {
        String base = cidr.substring(0, cidr.lastIndexOf('.'));
        return new NetworkDraft(
                        name,
                        id,
                        cidr,
                        base + ".10-" + base + ".99",
                        proxy ? null : base + ".100-" + base + ".199",
                        null,
                        name + ".test",
                        v6,
                        base + ".1",
                        proxy ? true : null)
                .validate();
    }

    static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static DnsConfig dns(String listen) {
        return new ConfigLoader()
                .parse(
                        "dns: {listen: \"" + listen + "\"}\nnetworks:\n  - {name: a, id: 1, cidr: 10.0.0.0/24,"
                                + " staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}\n",
                        "test")
                .dns();
    }

    static RaConfig ra(Map<String, String> interfaces, Optional<List<String>> servers) {
        RaConfig d = RaConfig.defaults();
        return new RaConfig(
                Optional.empty(), d.radvd(), false, true, false, d.minInterval(), d.maxInterval(), interfaces, servers);
    }

    @Test
    void eachNetworkWithAPrefixGoesOutOnTheInterfaceHoldingItsAddress() {
        RaPlan p = RaPlan.of(
                List.of(ADMIN, STORAGE, V4ONLY, PROXY, RELAYED),
                ULA,
                RaConfig.defaults(),
                dns("[::]:53"),
                List.of(),
                List.of(ETH5, ETH4, ETH2, ETH1));
        assertEquals(
                List.of(
                        new RaLink(
                                "eth1",
                                "admin",
                                Ipv6Prefix64.parse("fd7f:4d8a:87f4:1::/64"),
                                List.of("fd7f:4d8a:87f4:1::1", "fd7f:4d8a:87f4:1::53"),
                                "admin.test"),
                        new RaLink(
                                "eth2",
                                "storage",
                                Ipv6Prefix64.parse("fd00:1234:5678:3::/64"),
                                List.of("fd00:1234:5678:3::1"),
                                "storage.test")),
                p.links());
        assertEquals(
                List.of(
                        "no RAs for network proxied: proxyDHCP network (its DHCP server owns the RAs)",
                        "no RAs for network relayed: no interface holds an address in 10.60.0.0/24"),
                p.notes());
    }

    @Test
    void onlyTheDhcpInterfacesAreCandidatesAndRaInterfacesOverrides() {
        RaPlan p = RaPlan.of(
                List.of(ADMIN, STORAGE),
                ULA,
                ra(Map.of("storage", "eth4"), Optional.empty()),
                dns("[::]:53"),
                List.of("eth2"),
                List.of(ETH1, ETH2, ETH4));
        assertEquals(List.of("eth4"), p.links().stream().map(RaLink::iface).toList());
        assertEquals(List.of(), p.links().get(0).rdnss(), "eth4 holds no address in storage's /64");
        assertEquals(
                List.of(
                        "no RAs for network admin: no interface of [eth2] holds an address in 10.10.0.0/24",
                        "network storage on eth4: no RDNSS, this host has no address in fd00:1234:5678:3::/64 there"
                                + " that dns.listen ([::]:53) answers on"),
                p.notes());

        RaPlan down = RaPlan.of(
                List.of(STORAGE),
                ULA,
                ra(Map.of("storage", "eth9"), Optional.empty()),
                dns("[::]:53"),
                List.of(),
                List.of(ETH2));
        assertEquals(List.of("no RAs for network storage: interface eth9 does not exist"), down.notes());
    }

    @Test
    void oneInterfaceCarriesOneNetwork() {
        HostInterface both = new HostInterface(
                "br0", List.of(Ipv4Address.parse("10.10.0.1"), Ipv4Address.parse("10.20.0.1")), List.of());
        RaPlan p =
                RaPlan.of(List.of(ADMIN, STORAGE), ULA, RaConfig.defaults(), dns("[::]:53"), List.of(), List.of(both));
        assertEquals(List.of("admin"), p.links().stream().map(RaLink::network).toList());
        assertEquals(
                List.of(
                        "network admin on br0: no RDNSS, this host has no address in fd7f:4d8a:87f4:1::/64 there"
                                + " that dns.listen ([::]:53) answers on",
                        "no RAs for network storage: br0 carries another network's RAs already"),
                p.notes());
        RaPlan v4dns = RaPlan.of(List.of(ADMIN), ULA, RaConfig.defaults(), dns("0.0.0.0:53"), List.of(), List.of(ETH1));
        assertEquals(
                List.of("network admin on eth1: no RDNSS, dns.listen (0.0.0.0:53) is not IPv6 port 53"), v4dns.notes());
    }

    @Test
    void rdnssIsWhereTheDnsListenerAnswersOnPort53() {
        Ipv6Prefix64 admin = Ipv6Prefix64.parse("fd7f:4d8a:87f4:1::/64");
        RaConfig d = RaConfig.defaults();
        assertEquals(
                List.of("fd7f:4d8a:87f4:1::1", "fd7f:4d8a:87f4:1::53"),
                RaPlan.rdnss(d, dns("[::]:53"), admin, ETH1),
                "wildcard: the interface's own addresses in the /64 (not 2001:db8::1)");
        assertEquals(
                List.of("fd7f:4d8a:87f4:1::53"),
                RaPlan.rdnss(d, dns("[fd7f:4d8a:87f4:1:0::53]:53"), admin, ETH1),
                "one IPv6 address: that one, canonical");
        assertEquals(List.of(), RaPlan.rdnss(d, dns("[fd00::53]:53"), admin, ETH1), "outside the /64: none");
        assertEquals(List.of(), RaPlan.rdnss(d, dns("0.0.0.0:53"), admin, ETH1), "IPv4 only");
        assertEquals(List.of(), RaPlan.rdnss(d, dns("[::]:10053"), admin, ETH1), "not port 53");
        assertEquals(
                List.of("fd00::53"),
                RaPlan.rdnss(ra(Map.of(), Optional.of(List.of("fd00::53"))), dns("0.0.0.0:53"), admin, ETH1),
                "ra.dns as written");
        assertEquals(
                List.of(),
                RaPlan.rdnss(ra(Map.of(), Optional.of(List.of())), dns("[::]:53"), admin, ETH1),
                "ra.dns: [] turns RDNSS off");
        HostInterface many = new HostInterface(
                "eth1",
                List.of(),
                List.of(
                        v6("fd7f:4d8a:87f4:1::1"),
                        v6("fd7f:4d8a:87f4:1::2"),
                        v6("fd7f:4d8a:87f4:1::3"),
                        v6("fd7f:4d8a:87f4:1::4")));
        assertEquals(3, RaPlan.rdnss(d, dns("[::]:53"), admin, many).size(), "radvd's limit: 3");
    }
}
