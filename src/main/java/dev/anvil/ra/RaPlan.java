package dev.anvil.ra;

import dev.anvil.config.DnsConfig;
import dev.anvil.config.RaConfig;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which links get RAs and with what (pure): every network with a v6 prefix that Anvil serves addresses on (not a
 * proxyDHCP one: the server that owns the addresses there owns the RAs too), on the interface {@code
 * ra.interfaces} names for it, else on the candidate interface holding an IPv4 address in its CIDR (as DHCP finds a
 * request's network). A network reached only through a relay has no such interface and gets none (RAs do not
 * cross routers). RDNSS: {@code ra.dns} as written, else the DNS listener's address on the link: with {@code
 * dns.listen} on {@code [::]:53} the interface's own addresses in the link's /64, with a specific IPv6 address on
 * port 53 that address if it lies in the /64; nothing when DNS is off, IPv4-only or on another port (clients send
 * to port 53).
 *
 * @param links what radvd is told, in network order
 * @param notes one line per network with a v6 prefix left out, and why, and per link without RDNSS, and why
 */
public record RaPlan(List<RaLink> links, List<String> notes) {

    /** How many RDNSS addresses one option carries in radvd (its limit). */
    static final int MAX_RDNSS = 3;

    /**
     * @param candidates the interfaces a network may be found on by address: {@code dhcp.interfaces} when set, else
     *     all of the host's (those {@code ra.interfaces} names are looked up among all of them)
     */
    public static RaPlan of(
            List<Network> networks,
            Addressing addressing,
            RaConfig ra,
            DnsConfig dns,
            List<String> candidates,
            List<HostInterface> host) {
        List<RaLink> links = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Network n : networks) {
            Optional<Ipv6Prefix64> prefix = addressing.prefix(n);
            if (prefix.isEmpty()) {
                continue;
            }
            if (n.proxyDhcp()) {
                notes.add("no RAs for network " + n.name() + ": proxyDHCP network (its DHCP server owns the RAs)");
                continue;
            }
            Optional<HostInterface> iface = iface(n, ra, candidates, host);
            if (iface.isEmpty()) {
                notes.add("no RAs for network " + n.name() + ": "
                        + (ra.interfaces().containsKey(n.name())
                                ? "interface " + ra.interfaces().get(n.name()) + " does not exist"
                                : "no interface " + (candidates.isEmpty() ? "" : "of " + candidates + " ")
                                        + "holds an address in " + n.cidr()));
                continue;
            }
            if (links.stream().anyMatch(l -> l.iface().equals(iface.get().name()))) {
                notes.add("no RAs for network " + n.name() + ": " + iface.get().name()
                        + " carries another network's RAs already");
                continue;
            }
            List<String> servers = rdnss(ra, dns, prefix.get(), iface.get());
            if (servers.isEmpty() && ra.dns().isEmpty()) {
                notes.add("network " + n.name() + " on " + iface.get().name() + ": no RDNSS, "
                        + (dns.enabled()
                                        && dns.listen().port() == 53
                                        && dns.listen().host().contains(":")
                                ? "this host has no address in " + prefix.get() + " there that dns.listen ("
                                        + dns.listen() + ") answers on"
                                : "dns.listen (" + dns.listen() + ") is not IPv6 port 53"
                                        + (dns.enabled() ? "" : " (DNS is off)")));
            }
            links.add(new RaLink(iface.get().name(), n.name(), prefix.get(), servers, n.domain()));
        }
        return new RaPlan(links, notes);
    }

    /** The plan for the networks {@code networks} holds when asked, on the host's interfaces at that moment. */
    public static java.util.function.Supplier<RaPlan> live(
            java.util.function.Supplier<List<Network>> networks,
            Addressing addressing,
            RaConfig ra,
            DnsConfig dns,
            List<String> candidates) {
        return () -> {
            try {
                return of(networks.get(), addressing, ra, dns, candidates, HostInterface.read());
            } catch (java.net.SocketException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    private static Optional<HostInterface> iface(
            Network n, RaConfig ra, List<String> candidates, List<HostInterface> host) {
        String named = ra.interfaces().get(n.name());
        if (named != null) {
            return host.stream().filter(h -> h.name().equals(named)).findFirst();
        }
        return host.stream()
                .filter(h -> candidates.isEmpty() || candidates.contains(h.name()))
                .filter(h -> h.ipv4().stream().anyMatch(n.cidr()::contains))
                .findFirst();
    }

    static List<String> rdnss(RaConfig ra, DnsConfig dns, Ipv6Prefix64 prefix, HostInterface iface) {
        if (ra.dns().isPresent()) {
            return ra.dns().get();
        }
        if (!dns.enabled() || dns.listen().port() != 53) {
            return List.of();
        }
        String host = dns.listen().host();
        List<String> out = new ArrayList<>();
        if (host.equals("::")) {
            for (Inet6Address a : iface.ipv6()) {
                if (in(prefix, a) && out.size() < MAX_RDNSS) {
                    out.add(Ipv6Prefix64.format(a));
                }
            }
        } else if (host.contains(":")) {
            try {
                Inet6Address a = (Inet6Address) java.net.InetAddress.getByName(host);
                if (in(prefix, a)) {
                    out.add(Ipv6Prefix64.format(a));
                }
            } catch (java.net.UnknownHostException | ClassCastException e) {
                return List.of(); // not an IPv6 literal: nothing to advertise
            }
        }
        return out;
    }

    private static boolean in(Ipv6Prefix64 prefix, Inet6Address a) {
        byte[] b = a.getAddress();
        long high = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (b[i] & 0xff);
        }
        return high == prefix.high();
    }
}
