package dev.anvil.dns.policy;

import dev.anvil.config.DnsConfig;
import dev.anvil.core.dns.DnsRecord;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Every record Anvil serves, for one set of networks, changed in place one node at a time. Zones: each
 * network's domain, the reverse zone of its IPv4 CIDR (whole octets: a /22 is served as its /16) and of its
 * IPv6 /64.
 *
 * <p>Readers (the responder, the fast path) never lock: each owner name maps to an immutable set of RRsets
 * and its pre-encoded answers ({@link AnswerCache}), replaced whole when a change touches that name, so once
 * {@link #put} or {@link #remove} returns every answer (positive, NXDOMAIN or NODATA, fast path or full
 * path) reflects it. A change costs the few names the node owns (its name, one PTR per address) and their
 * parents' counts of names below them, never a pass over every record. Writers are serialized by this
 * object's lock; {@link #zoneContents} (AXFR) takes it too, so a transfer sees one state.
 *
 * <p>Each record comes from a source, kept per owner name in a fixed order: Anvil's own name, then the
 * operator's records by id ({@link #putRecord}), then the nodes
 * by id, then {@code dns.aliases} (a CNAME, left out while the name has other data: RFC 1034 §3.6.2), then the
 * zone apex (SOA, NS). RRsets are assembled in that order, so a name's answer is the same whatever order the
 * changes came in: the state after any sequence of changes equals a fresh {@link #build} of the same nodes.
 *
 * <p>Size: over 300 lines because the zones' in-place update keeps several indexes (records per source, RRsets, answer
 * cache, non-terminal counts) that must change together under one lock.
 */
public final class LiveZones {
    private static final long SELF = Long.MIN_VALUE;
    /** The operator's records come right after Anvil's own name: source {@code RECORDS + id}, below every node id. */
    private static final long RECORDS = Long.MIN_VALUE + 1;

    private static final long ALIAS = Long.MAX_VALUE - 1;
    private static final long APEX = Long.MAX_VALUE;

    private final long ttl;
    private final long negativeTtl;
    private final List<Name> zones;
    private final Map<String, Network> networks;
    private final Addressing addressing;
    private final Name ns;
    private final Name mbox;

    // What readers see.
    private final Map<Name, Map<Integer, RRset>> names = new ConcurrentHashMap<>();
    private final Map<Name, Integer> nonTerminals = new ConcurrentHashMap<>(); // name -> names below it
    private final AnswerCache answers = new AnswerCache();
    private volatile long serial;

    // The writer's books (guarded by this): the records of each source at each name, and each node as applied.
    private final Map<Name, TreeMap<Long, List<Record>>> sources = new HashMap<>();
    private final Map<Long, Node> nodes = new HashMap<>();
    private final Map<Long, DnsRecord> records = new HashMap<>();
    /** Names with an operator AAAA: a node there serves that instead of its derived one (and its derived PTR). */
    private final Map<Name, Integer> explicitAaaa = new HashMap<>();

    private final Map<Name, Long> nodeByName = new HashMap<>();

    private LiveZones(Collection<Network> nets, String adminNetwork, Addressing addressing, DnsConfig cfg) {
        this.ttl = cfg.ttl();
        this.negativeTtl = cfg.negativeTtl();
        this.addressing = addressing;
        Network admin = nets.stream()
                .filter(n -> n.name().equals(adminNetwork))
                .findFirst()
                .orElse(null);
        this.ns = admin == null ? name("localhost") : name(cfg.serverName() + "." + admin.domain());
        this.mbox = name(
                "hostmaster." + ns.toString(true).substring(ns.toString(true).indexOf('.') + 1));
        Map<String, Network> byName = new HashMap<>();
        Set<Name> apexes = new LinkedHashSet<>();
        for (Network n : nets) {
            byName.put(n.name(), n);
            apexes.add(name(n.domain()));
            apexes.add(reverseV4Zone(n));
            addressing.prefix(n).ifPresent(p -> apexes.add(reverseV6Zone(p)));
        }
        List<Name> ordered = new ArrayList<>(apexes);
        ordered.sort(Comparator.comparingInt(Name::labels).reversed());
        this.zones = List.copyOf(ordered);
        this.networks = Map.copyOf(byName);
        if (admin != null) {
            List<InetAddress> self = new ArrayList<>();
            admin.serverAddress().ifPresent(a -> self.add(a.toInetAddress()));
            addressing.ipv6(admin, ns.toString(true)).ifPresent(self::add);
            addressRecords(ns, self).forEach((owner, recs) -> contribute(owner, SELF, recs));
        }
        cfg.aliases().forEach((alias, target) -> {
            Name a = name(alias);
            if (zoneOf(a).isPresent()) {
                contribute(a, ALIAS, List.of(new CNAMERecord(a, DClass.IN, ttl, name(target))));
            }
        });
    }

    /** The zones of these networks holding these nodes, their SOA serial {@code serial}. */
    public static LiveZones build(
            Collection<Network> networks,
            String adminNetwork,
            Collection<Node> nodes,
            Addressing addressing,
            DnsConfig cfg,
            long serial) {
        return build(networks, adminNetwork, nodes, List.of(), addressing, cfg, serial);
    }

    /** The zones of these networks holding these nodes and the operator's records, SOA serial {@code serial}. */
    public static LiveZones build(
            Collection<Network> networks,
            String adminNetwork,
            Collection<Node> nodes,
            Collection<DnsRecord> records,
            Addressing addressing,
            DnsConfig cfg,
            long serial) {
        LiveZones z = new LiveZones(networks, adminNetwork, addressing, cfg);
        synchronized (z) {
            z.setSerial(serial);
            records.stream().sorted(Comparator.comparingLong(DnsRecord::id)).forEach(z::putRecord);
            nodes.stream().sorted(Comparator.comparingLong(Node::id)).forEach(z::put);
        }
        return z;
    }

    /** Pre-encoded positive answers for the hot path. */
    AnswerCache answers() {
        return answers;
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
        return nonTerminals.containsKey(name.canonicalize());
    }

    public Optional<RRset> soa(Name zone) {
        return at(zone).map(m -> m.get(Type.SOA));
    }

    /** Every RRset of a zone, its SOA first (for AXFR), as of one moment. */
    public synchronized List<RRset> zoneContents(Name zone) {
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

    /** Every owner name with its RRsets (for comparisons in tests). */
    Map<Name, Map<Integer, RRset>> names() {
        return Collections.unmodifiableMap(names);
    }

    /** Every name with a name below it. */
    Set<Name> nonTerminals() {
        return Collections.unmodifiableSet(nonTerminals.keySet());
    }

    /** Sets the SOA serial of every zone (the few apex names only). */
    public synchronized void setSerial(long s) {
        serial = s;
        for (Name z : zones) {
            // RFC 1912 §2.2 style timers: refresh 1 h, retry 10 min, expire 1 week, minimum = negative TTL.
            contribute(
                    z,
                    APEX,
                    List.of(
                            new SOARecord(z, DClass.IN, negativeTtl, ns, mbox, s, 3600, 600, 604_800, negativeTtl),
                            new NSRecord(z, DClass.IN, ttl, ns)));
        }
    }

    /**
     * Adds the node, or replaces the one with its id: only the names its old and new records own change.
     * Returns whether any record changed (not for a change of state, boot environment, MACs...).
     */
    public synchronized boolean put(Node node) {
        Node old = nodes.put(node.id(), node);
        if (old != null && old.name().equals(node.name()) && old.addresses().equals(node.addresses())) {
            return false; // nothing DNS serves
        }
        if (old != null) {
            nodeByName.remove(name(old.name()), old.id());
        }
        nodeByName.put(name(node.name()), node.id());
        Map<Name, List<Record>> before = old == null ? Map.of() : recordsOf(old);
        Map<Name, List<Record>> after = recordsOf(node);
        return change(node.id(), before, after);
    }

    /** Removes the node with this id (nothing if there is none); returns whether any record changed. */
    public synchronized boolean remove(long id) {
        Node old = nodes.remove(id);
        if (old != null) {
            nodeByName.remove(name(old.name()), id);
        }
        return old != null && change(id, recordsOf(old), Map.of());
    }

    /**
     * Adds one of the operator's records (or replaces the one with its id). An AAAA on a node's name replaces
     * that node's derived address. Returns whether anything served changed.
     */
    public synchronized boolean putRecord(DnsRecord r) {
        DnsRecord old = records.put(r.id(), r);
        if (r.equals(old)) {
            return false;
        }
        if (old != null) {
            forgetAaaa(old);
        }
        Name owner = name(r.name());
        if (r.type() == DnsRecord.Type.AAAA) {
            explicitAaaa.merge(owner, 1, Integer::sum);
        }
        boolean changed = change(RECORDS + r.id(), old == null ? Map.of() : recordsOf(old), recordsOf(r));
        return refreshNodeAt(owner) | (old != null && refreshNodeAt(name(old.name()))) | changed;
    }

    /** Removes the operator's record with this id (nothing if there is none); returns whether anything changed. */
    public synchronized boolean removeRecord(long id) {
        DnsRecord old = records.remove(id);
        if (old == null) {
            return false;
        }
        forgetAaaa(old);
        boolean had = change(RECORDS + id, recordsOf(old), Map.of());
        return refreshNodeAt(name(old.name())) | had;
    }

    /**
     * One of the operator's records by owner name: the record at its name and, for an A or AAAA, a PTR back to
     * that name in the address's reverse zone (as dnsmasq's {@code host-record}); only those in a served zone.
     */
    private Map<Name, List<Record>> recordsOf(DnsRecord r) {
        Name owner = name(r.name());
        Record rec = toRecord(owner, r);
        Map<Name, List<Record>> out = new LinkedHashMap<>();
        if (zoneOf(owner).isPresent()) {
            out.put(owner, List.of(rec));
        }
        InetAddress address =
                rec instanceof ARecord a ? a.getAddress() : rec instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
        if (address != null) {
            Name rev = ReverseMap.fromAddress(address).canonicalize();
            if (zoneOf(rev).isPresent()) {
                out.put(rev, List.of(new PTRRecord(rev, DClass.IN, rec.getTTL(), owner)));
            }
        }
        return out;
    }

    private void forgetAaaa(DnsRecord r) {
        if (r.type() == DnsRecord.Type.AAAA) {
            explicitAaaa.computeIfPresent(name(r.name()), (k, c) -> c <= 1 ? null : c - 1);
        }
    }

    /** Re-derives the records of the node named {@code owner}, if there is one (its AAAA may have changed hands). */
    private boolean refreshNodeAt(Name owner) {
        Long id = nodeByName.get(owner);
        if (id == null) {
            return false;
        }
        Node n = nodes.get(id);
        return change(
                id,
                sources.entrySet().stream()
                        .filter(e -> e.getValue().containsKey(id))
                        .collect(java.util.stream.Collectors.toMap(
                                Map.Entry::getKey, e -> e.getValue().get(id))),
                recordsOf(n));
    }

    private Record toRecord(Name owner, DnsRecord r) {
        long t = r.ttl() > 0 ? r.ttl() : ttl;
        try {
            return switch (r.type()) {
                case A, AAAA -> {
                    InetAddress a = InetAddress.getByName(r.data()); // a literal: no lookup
                    yield a instanceof Inet4Address
                            ? new ARecord(owner, DClass.IN, t, a)
                            : new AAAARecord(owner, DClass.IN, t, a);
                }
                case CNAME -> new CNAMERecord(owner, DClass.IN, t, name(r.data()));
                case TXT -> {
                    List<String> parts = new ArrayList<>();
                    for (int i = 0; i < r.data().length(); i += 255) {
                        parts.add(r.data().substring(i, Math.min(r.data().length(), i + 255)));
                    }
                    yield new TXTRecord(owner, DClass.IN, t, parts);
                }
                case SRV -> {
                    String[] f = r.data().split(" ");
                    yield new SRVRecord(
                            owner,
                            DClass.IN,
                            t,
                            Integer.parseInt(f[0]),
                            Integer.parseInt(f[1]),
                            Integer.parseInt(f[2]),
                            f[3].equals(".") ? Name.root : name(f[3]));
                }
            };
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + r.data(), e);
        }
    }

    /** The operator's records as applied, by id. */
    public synchronized Map<Long, DnsRecord> records() {
        return Map.copyOf(records);
    }

    /** The nodes as applied, by id. */
    public synchronized Map<Long, Node> nodes() {
        return Map.copyOf(nodes);
    }

    private boolean change(long id, Map<Name, List<Record>> before, Map<Name, List<Record>> after) {
        boolean changed = false;
        for (Name owner : before.keySet()) {
            if (!after.containsKey(owner)) {
                contribute(owner, id, List.of());
                changed = true;
            }
        }
        for (Map.Entry<Name, List<Record>> e : after.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                contribute(e.getKey(), id, e.getValue());
                changed = true;
            }
        }
        return changed;
    }

    /** A node's records by owner name: A/AAAA at its name, a PTR for each address; only those in a zone. */
    private Map<Name, List<Record>> recordsOf(Node node) {
        List<InetAddress> addrs = new ArrayList<>();
        boolean derivedV6 = !explicitAaaa.containsKey(name(node.name()));
        for (NodeAddress a : node.addresses()) {
            Network net = networks.get(a.network());
            if (net != null) {
                addrs.add(a.ipv4().toInetAddress());
                if (derivedV6) {
                    addressing.ipv6(net, node.name()).ifPresent(addrs::add);
                }
            }
        }
        return addressRecords(name(node.name()), addrs);
    }

    private Map<Name, List<Record>> addressRecords(Name owner, List<InetAddress> addrs) {
        Map<Name, List<Record>> out = new LinkedHashMap<>();
        boolean ownerInZone = zoneOf(owner).isPresent();
        for (InetAddress a : addrs) {
            if (ownerInZone) {
                out.computeIfAbsent(owner, k -> new ArrayList<>())
                        .add(
                                a instanceof Inet4Address
                                        ? new ARecord(owner, DClass.IN, ttl, a)
                                        : new AAAARecord(owner, DClass.IN, ttl, a));
            }
            Name rev = ReverseMap.fromAddress(a).canonicalize();
            if (zoneOf(rev).isPresent()) {
                out.computeIfAbsent(rev, k -> new ArrayList<>()).add(new PTRRecord(rev, DClass.IN, ttl, owner));
            }
        }
        return out;
    }

    /** Sets what {@code source} holds at {@code owner} (empty: nothing) and re-assembles that name. */
    private void contribute(Name owner, long source, List<Record> recs) {
        TreeMap<Long, List<Record>> at = sources.get(owner);
        if (recs.isEmpty()) {
            if (at == null || at.remove(source) == null) {
                return;
            }
            if (at.isEmpty()) {
                sources.remove(owner);
            }
        } else {
            if (at == null) {
                at = new TreeMap<>();
                sources.put(owner, at);
            }
            at.put(source, List.copyOf(recs));
        }
        assemble(owner, sources.get(owner));
    }

    private void assemble(Name owner, TreeMap<Long, List<Record>> at) {
        Map<Integer, RRset> sets = new LinkedHashMap<>();
        if (at != null) {
            // A CNAME (dns.aliases or the operator's) cannot stand beside other data (RFC 1034 §3.6.2): left out.
            boolean data =
                    at.values().stream().anyMatch(recs -> recs.stream().anyMatch(r -> r.getType() != Type.CNAME));
            at.forEach((source, recs) -> recs.forEach(r -> {
                if (r.getType() != Type.CNAME || !data) {
                    sets.computeIfAbsent(r.getType(), t -> new RRset()).addRR(r);
                }
            }));
        }
        Map<Integer, RRset> old = names.get(owner);
        if (sets.isEmpty()) {
            if (old != null) {
                names.remove(owner);
                answers.update(owner, Map.of(), old);
                below(owner, -1);
            }
            return;
        }
        Map<Integer, RRset> fixed = Collections.unmodifiableMap(sets);
        if (old == null) {
            below(owner, +1); // its parents first: the name never exists without them
        }
        names.put(owner, fixed);
        answers.update(owner, fixed, old == null ? Map.of() : old);
    }

    /** Counts a name in or out of the names below each of its parents inside a zone. */
    private void below(Name n, int delta) {
        for (int i = 1; i < n.labels() - 1; i++) {
            Name parent = new Name(n, i);
            if (zoneOf(parent).isPresent()) {
                nonTerminals.compute(parent, (k, c) -> {
                    int next = (c == null ? 0 : c) + delta;
                    return next <= 0 ? null : next;
                });
            }
        }
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
        for (int i = 0; i < 16; i++) { // nibbles, least significant first
            sb.append(Long.toHexString((p.high() >>> (4 * i)) & 0xf)).append('.');
        }
        return name(sb + "ip6.arpa");
    }

    static Name name(String s) {
        try {
            return Name.fromString(s.endsWith(".") ? s : s + ".").canonicalize();
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + s, e);
        }
    }

    @Override
    public String toString() {
        return "LiveZones" + zones + " serial " + serial + ", " + names.size() + " names";
    }
}
