package dev.anvil.dns.policy;

import dev.anvil.config.DnsConfig;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The oracle for {@link LiveZonesTest}: the zone builder as it was before zones changed in place (the former
 * {@code ReferenceZones}, built at once from every network and node on each change), kept verbatim but for its
 * name and the answer cache, which the test encodes from {@link #names()} itself.
 */
final class ReferenceZones {
    private final Map<Name, Map<Integer, RRset>> names;
    private final List<Name> zones;
    private final Set<Name> nonTerminals;
    private final long serial;

    private ReferenceZones(
            Map<Name, Map<Integer, RRset>> names,
            List<Name> zones,
            Set<Name> nonTerminals,
            long serial,
            boolean withCache) {
        this.names = names;
        this.zones = zones;
        this.nonTerminals = nonTerminals;
        this.serial = serial;
    }

    Map<Name, Map<Integer, RRset>> names() {
        return names;
    }

    Set<Name> nonTerminals() {
        return nonTerminals;
    }

    public long serial() {
        return serial;
    }

    public List<Name> zones() {
        return zones;
    }

    /** The zone (apex) that holds this name: the longest matching apex. */
    public Optional<Name> zoneOf(Name name) {
        for (Name z : zones) {
            if (name.subdomain(z)) {
                return Optional.of(z);
            }
        }
        return Optional.empty();
    }

    public Optional<Map<Integer, RRset>> at(Name name) {
        return Optional.ofNullable(names.get(name.canonicalize()));
    }

    /** True if some name lies below this one (an empty non-terminal answers NODATA, not NXDOMAIN). */
    public boolean hasDescendants(Name name) {
        return nonTerminals.contains(name.canonicalize());
    }

    public Optional<RRset> soa(Name zone) {
        return at(zone).map(m -> m.get(Type.SOA));
    }

    /** Every RRset of a zone, its SOA first (for AXFR). */
    public List<RRset> zoneContents(Name zone) {
        List<RRset> out = new ArrayList<>();
        soa(zone).ifPresent(out::add);
        names.forEach((n, sets) -> {
            if (n.subdomain(zone) && zoneOf(n).map(zone::equals).orElse(false)) {
                sets.forEach((t, s) -> {
                    if (t != Type.SOA) {
                        out.add(s);
                    }
                });
            }
        });
        return out;
    }

    public static ReferenceZones build(
            Collection<Network> networks,
            String adminNetwork,
            Collection<Node> nodes,
            Addressing addressing,
            DnsConfig cfg,
            long serial) {
        Builder b = new Builder(cfg.ttl());
        Network admin = networks.stream()
                .filter(n -> n.name().equals(adminNetwork))
                .findFirst()
                .orElse(null);
        Name ns = admin == null ? name("localhost") : name(cfg.serverName() + "." + admin.domain());
        Map<String, Network> byName = new HashMap<>();
        for (Network n : networks) {
            byName.put(n.name(), n);
            b.zone(name(n.domain()));
            b.zone(reverseV4Zone(n));
            addressing.prefix(n).ifPresent(p -> b.zone(reverseV6Zone(p)));
        }
        if (admin != null) {
            admin.serverAddress().ifPresent(a -> b.address(ns, a.toInetAddress()));
            addressing.ipv6(admin, ns.toString(true)).ifPresent(a -> b.address(ns, a));
        }
        for (Node node : nodes) {
            Name owner = name(node.name());
            for (NodeAddress a : node.addresses()) {
                Network net = byName.get(a.network());
                if (net == null) {
                    continue;
                }
                b.address(owner, a.ipv4().toInetAddress());
                addressing.ipv6(net, node.name()).ifPresent(v6 -> b.address(owner, v6));
            }
        }
        cfg.aliases().forEach((alias, target) -> b.alias(name(alias), name(target)));
        return b.finish(ns, cfg, serial);
    }

    static Name reverseV4Zone(Network n) {
        int octets = n.cidr().prefixLength() / 8;
        byte[] a = n.cidr().network().toBytes();
        StringBuilder sb = new StringBuilder();
        for (int i = octets - 1; i >= 0; i--) {
            sb.append(a[i] & 0xff).append('.');
        }
        return name(sb + "in-addr.arpa");
    }

    static Name reverseV6Zone(Ipv6Prefix64 p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 15; i >= 0; i--) {
            sb.append(Long.toHexString((p.high() >>> (4 * i)) & 0xf)).append('.');
        }
        // Nibbles are written least significant first.
        String[] parts = sb.toString().split("\\.");
        StringBuilder rev = new StringBuilder();
        for (int i = parts.length - 1; i >= 0; i--) {
            rev.append(parts[i]).append('.');
        }
        return name(rev + "ip6.arpa");
    }

    static Name name(String s) {
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".").canonicalize();
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + s, e);
        }
    }

    /** Collects records; zones are known first so records outside every zone are left out. */
    private static final class Builder {
        private final long ttl;
        private final Map<Name, Map<Integer, RRset>> names = new HashMap<>();
        private final Set<Name> zones = new HashSet<>();
        private final List<Object[]> pending = new ArrayList<>();

        Builder(long ttl) {
            this.ttl = ttl;
        }

        void zone(Name z) {
            zones.add(z);
        }

        void address(Name owner, InetAddress a) {
            pending.add(new Object[] {owner, a});
        }

        private final Map<Name, Name> aliases = new LinkedHashMap<>();

        void alias(Name alias, Name target) {
            aliases.put(alias, target);
        }

        private void add(org.xbill.DNS.Record r) {
            names.computeIfAbsent(r.getName(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.getType(), k -> new RRset())
                    .addRR(r);
        }

        ReferenceZones finish(Name ns, DnsConfig cfg, long serial) {
            List<Name> ordered = new ArrayList<>(zones);
            ordered.sort(Comparator.comparingInt(Name::labels).reversed());
            ReferenceZones probe = new ReferenceZones(names, ordered, Set.of(), serial, false);
            for (Object[] p : pending) {
                Name owner = (Name) p[0];
                InetAddress a = (InetAddress) p[1];
                if (probe.zoneOf(owner).isPresent()) {
                    add(
                            a instanceof java.net.Inet4Address
                                    ? new ARecord(owner, DClass.IN, ttl, a)
                                    : new AAAARecord(owner, DClass.IN, ttl, a));
                }
                Name rev = ReverseMap.fromAddress(a).canonicalize();
                if (probe.zoneOf(rev).isPresent()) {
                    add(new PTRRecord(rev, DClass.IN, ttl, owner));
                }
            }
            // A CNAME owns its name alone (RFC 1034 §3.6.2): an alias that is also a node's name is left out.
            aliases.forEach((alias, target) -> {
                if (probe.zoneOf(alias).isPresent() && !names.containsKey(alias)) {
                    add(new org.xbill.DNS.CNAMERecord(alias, DClass.IN, ttl, target));
                }
            });
            Name mbox = name("hostmaster."
                    + ns.toString(true).substring(ns.toString(true).indexOf('.') + 1));
            for (Name z : ordered) {
                // RFC 1912 §2.2 style timers: refresh 1 h, retry 10 min, expire 1 week, minimum = negative TTL.
                add(new SOARecord(
                        z, DClass.IN, cfg.negativeTtl(), ns, mbox, serial, 3600, 600, 604_800, cfg.negativeTtl()));
                add(new NSRecord(z, DClass.IN, ttl, ns));
            }
            Set<Name> inner = new HashSet<>();
            for (Name n : names.keySet()) {
                for (int i = 1; i < n.labels() - 1; i++) {
                    Name parent = new Name(n, i);
                    if (probe.zoneOf(parent).isPresent()) {
                        inner.add(parent);
                    }
                }
            }
            return new ReferenceZones(Map.copyOf(names), List.copyOf(ordered), Set.copyOf(inner), serial, true);
        }
    }
}
