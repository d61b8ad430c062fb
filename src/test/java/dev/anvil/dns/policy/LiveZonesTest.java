package dev.anvil.dns.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Type;

/**
 * Zones changed in place, one node at a time, against a full rebuild of the same nodes: after every change
 * the records, the names below names (NXDOMAIN or NODATA), the pre-encoded fast-path answers and the wire
 * answers to every name of either (and a few that exist in neither) are the same, and the content equals
 * what the former builder ({@link ReferenceZones}) makes of the same nodes.
 */
class LiveZonesTest {
    static final AnvilConfig CFG = new ConfigLoader().parse("""
      stateDir: /nonexistent
      networks:
        - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.200, domain: cluster.test,
           serverAddress: 10.10.0.1}
        - {name: rack, id: 2, cidr: 10.20.0.0/22, staticRange: 10.20.0.10-10.20.3.200, domain: cluster.test,
           v6prefix: "fd20::"}
        - {name: lab, id: 3, cidr: 10.30.0.0/24, staticRange: 10.30.0.10-10.30.0.200, domain: lab.test,
           v6prefix: none}
      dns:
        aliases: {www.cluster.test: n3.cluster.test, ext.cluster.test: mirror.example.org,
                  n5.lab.test: n2.cluster.test, api.cluster.test: www.cluster.test}
      """, "test");
    static final Addressing ADDRESSING = new Addressing(0x123456789aL);
    static final long SERIAL = 2_000_000_000L;

    static final String[] NAMES = {
        "n1.cluster.test",
        "n2.cluster.test",
        "n3.cluster.test",
        "n4.cluster.test",
        "n5.lab.test",
        "n6.lab.test",
        "a.rack1.cluster.test",
        "b.rack1.cluster.test",
        "deep.a.rack1.cluster.test",
        "anvil.cluster.test",
        "www.cluster.test",
        "x.elsewhere.org",
        "cluster.test"
    };
    static final String[] NETS = {"admin", "rack", "lab", "gone"}; // "gone": a network the zones do not know
    static final String[][] ADDRS = {
        {"10.10.0.11", "10.10.0.12", "10.10.0.13", "10.10.0.1"},
        {"10.20.0.11", "10.20.1.12", "10.20.3.13", "10.20.2.200"},
        {"10.30.0.11", "10.30.0.12", "10.30.0.13", "10.30.0.14"},
        {"10.40.0.11", "10.40.0.12", "10.40.0.13", "10.40.0.14"}
    };

    final DnsResponder responder = new DnsResponder(1232);
    final FastPath fast = new FastPath(1232);

    static Node node(long id, String name, List<NodeAddress> addrs, NodeState state) {
        return new Node(
                id,
                name,
                List.of(MacAddress.parse(String.format("52:54:00:00:%02x:%02x", id >> 8, id & 255))),
                addrs,
                "local",
                Optional.empty(),
                false,
                true,
                state,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    static NodeAddress addr(int net, int i) {
        return new NodeAddress(NETS[net], Ipv4Address.parse(ADDRS[net][i]));
    }

    static LiveZones rebuild(Collection<Node> nodes, long serial) {
        return LiveZones.build(CFG.networks(), CFG.adminNetwork(), nodes, ADDRESSING, CFG.dns(), serial);
    }

    @Test
    void addRenameMoveChangeAddressDelete() {
        Map<Long, Node> state = new TreeMap<>();
        LiveZones z = rebuild(List.of(), SERIAL);
        apply(z, state, node(1, "n1.cluster.test", List.of(addr(0, 0)), NodeState.READY));
        apply(z, state, node(2, "n2.cluster.test", List.of(addr(1, 1)), NodeState.READY));
        assertAnswer(z, "n1.cluster.test.", Type.A, "10.10.0.11");
        apply(z, state, node(1, "n4.cluster.test", List.of(addr(0, 0)), NodeState.READY)); // rename
        assertAnswer(z, "n1.cluster.test.", Type.A, null);
        assertAnswer(z, "n4.cluster.test.", Type.A, "10.10.0.11");
        assertAnswer(z, "11.0.10.10.in-addr.arpa.", Type.PTR, "n4.cluster.test.");
        apply(z, state, node(1, "n4.cluster.test", List.of(addr(0, 1)), NodeState.READY)); // change address
        assertAnswer(z, "11.0.10.10.in-addr.arpa.", Type.PTR, null);
        assertAnswer(z, "12.0.10.10.in-addr.arpa.", Type.PTR, "n4.cluster.test.");
        apply(z, state, node(1, "n4.cluster.test", List.of(addr(1, 0)), NodeState.READY)); // move network
        assertAnswer(z, "n4.cluster.test.", Type.A, "10.20.0.11");
        assertAnswer(z, "12.0.10.10.in-addr.arpa.", Type.PTR, null);
        apply(z, state, node(1, "n4.cluster.test", List.of(addr(1, 0)), NodeState.INSTALLING)); // nothing for DNS
        delete(z, state, 1);
        assertAnswer(z, "n4.cluster.test.", Type.A, null);
        assertAnswer(z, "n4.cluster.test.", Type.AAAA, null);
        delete(z, state, 2);
        compare(z, state.values());
        assertEquals(rebuild(List.of(), SERIAL).names().keySet(), z.names().keySet(), "back to the empty zones");
    }

    /**
     * The operator's records: a second A on a node's name, an AAAA that replaces the node's derived one (and its
     * PTR), a CNAME left out beside data, TXT split in 255-byte strings, SRV; changed in place, always equal to a
     * fresh build of the same nodes and records, in whichever order the changes came.
     */
    @Test
    void operatorRecordsJoinReplaceAndLeaveInPlace() {
        Node n1 = node(1, "n1.cluster.test", List.of(addr(0, 0)), NodeState.READY);
        dev.anvil.core.dns.DnsRecord a2 = rec(10, "n1.cluster.test", "A", "10.10.0.99");
        dev.anvil.core.dns.DnsRecord v6 = rec(11, "n1.cluster.test", "AAAA", "fd00:1::51");
        dev.anvil.core.dns.DnsRecord cname = rec(12, "n1.cluster.test", "CNAME", "n2.cluster.test");
        dev.anvil.core.dns.DnsRecord txt = rec(13, "n1.cluster.test", "TXT", "x".repeat(300));
        dev.anvil.core.dns.DnsRecord srv = rec(14, "_http._tcp.cluster.test", "SRV", "10 5 8081 n1.cluster.test");
        List<dev.anvil.core.dns.DnsRecord> all = List.of(a2, v6, cname, txt, srv);
        LiveZones z = rebuild(List.of(), SERIAL);
        Name derivedPtr = org.xbill.DNS.ReverseMap.fromAddress(ADDRESSING
                        .ipv6(CFG.networks().get(0), "n1.cluster.test")
                        .orElseThrow())
                .canonicalize();
        z.put(n1);
        assertTrue(z.at(derivedPtr).isPresent(), "the derived AAAA has its PTR");
        all.forEach(z::putRecord);
        assertEquals(
                Set.of(Type.A, Type.AAAA, Type.TXT),
                z.at(LiveZones.name("n1.cluster.test")).orElseThrow().keySet(),
                "the CNAME left out beside data");
        assertEquals(
                2,
                z.at(LiveZones.name("n1.cluster.test"))
                        .orElseThrow()
                        .get(Type.A)
                        .size());
        assertEquals(
                "fd00:1:0:0:0:0:0:51",
                ((org.xbill.DNS.AAAARecord) z.at(LiveZones.name("n1.cluster.test"))
                                .orElseThrow()
                                .get(Type.AAAA)
                                .first())
                        .getAddress()
                        .getHostAddress(),
                "the explicit AAAA replaces the derived");
        assertTrue(z.at(derivedPtr).isEmpty(), "and the derived address's PTR goes with it");
        assertEquals(
                2,
                ((org.xbill.DNS.TXTRecord) z.at(LiveZones.name("n1.cluster.test"))
                                .orElseThrow()
                                .get(Type.TXT)
                                .first())
                        .getStrings()
                        .size());
        assertEquals(
                Set.of(Type.SRV),
                z.at(LiveZones.name("_http._tcp.cluster.test")).orElseThrow().keySet());
        LiveZones fresh =
                LiveZones.build(CFG.networks(), CFG.adminNetwork(), List.of(n1), all, ADDRESSING, CFG.dns(), SERIAL);
        assertEquals(canonical(fresh.names()), canonical(z.names()), "in place equals a fresh build");
        assertEquals(fresh.nonTerminals(), z.nonTerminals());
        // Records first, then the node: the same zones.
        LiveZones other = rebuild(List.of(), SERIAL);
        all.forEach(other::putRecord);
        other.put(n1);
        assertEquals(canonical(fresh.names()), canonical(other.names()));
        // Removing the AAAA brings back the derived address and its PTR; removing everything, the node's zones.
        z.removeRecord(11);
        assertTrue(z.at(derivedPtr).isPresent());
        for (dev.anvil.core.dns.DnsRecord r : all) {
            z.removeRecord(r.id());
        }
        assertEquals(canonical(rebuild(List.of(n1), SERIAL).names()), canonical(z.names()));
        assertEquals(rebuild(List.of(n1), SERIAL).nonTerminals(), z.nonTerminals());
    }

    /**
     * An operator's A or AAAA gets a PTR back to its name in a served reverse zone (as dnsmasq's host-record):
     * beside a node's own PTR on a shared address, moved with the address, gone with the record.
     */
    @Test
    void operatorAddressRecordsHaveTheirPtr() throws Exception {
        Node n1 = node(1, "n1.cluster.test", List.of(addr(0, 0)), NodeState.READY);
        LiveZones z = rebuild(List.of(n1), SERIAL);
        Name ptr99 = LiveZones.name("99.0.10.10.in-addr.arpa");
        Name ptr98 = LiveZones.name("98.0.10.10.in-addr.arpa");
        dev.anvil.core.dns.DnsRecord svc = rec(20, "svc.cluster.test", "A", "10.10.0.99");
        assertTrue(z.putRecord(svc));
        assertAnswer(z, "99.0.10.10.in-addr.arpa.", Type.PTR, "svc.cluster.test.");
        assertTrue(z.putRecord(rec(20, "svc.cluster.test", "A", "10.10.0.98")), "the address moved");
        assertTrue(z.at(ptr99).isEmpty(), "the old address's PTR goes");
        assertAnswer(z, "98.0.10.10.in-addr.arpa.", Type.PTR, "svc.cluster.test.");
        Name nodePtr = ReverseMap.fromAddress(n1.addresses().get(0).ipv4().toInetAddress())
                .canonicalize();
        z.putRecord(
                rec(21, "alias.cluster.test", "A", n1.addresses().get(0).ipv4().toString()));
        assertEquals(2, z.at(nodePtr).orElseThrow().get(Type.PTR).size(), "the node's PTR and the record's");
        dev.anvil.core.dns.DnsRecord v6 = rec(22, "n1.cluster.test", "AAAA", "fd20::51"); // in rack's /64
        z.putRecord(v6);
        assertAnswer(
                z,
                ReverseMap.fromAddress(java.net.InetAddress.getByName("fd20::51"))
                        .toString(),
                Type.PTR,
                "n1.cluster.test.");
        LiveZones fresh = LiveZones.build(
                CFG.networks(),
                CFG.adminNetwork(),
                List.of(n1),
                List.of(
                        rec(20, "svc.cluster.test", "A", "10.10.0.98"),
                        rec(
                                21,
                                "alias.cluster.test",
                                "A",
                                n1.addresses().get(0).ipv4().toString()),
                        v6),
                ADDRESSING,
                CFG.dns(),
                SERIAL);
        assertEquals(canonical(fresh.names()), canonical(z.names()), "in place equals a fresh build");
        z.removeRecord(20);
        z.removeRecord(21);
        z.removeRecord(22);
        assertTrue(z.at(ptr98).isEmpty());
        assertEquals(canonical(rebuild(List.of(n1), SERIAL).names()), canonical(z.names()));
    }

    static dev.anvil.core.dns.DnsRecord rec(long id, String name, String type, String data) {
        return dev.anvil.core.dns.DnsRecord.of(name, type, data, null).withId(id);
    }

    /** A node named like an alias hides the CNAME (RFC 1034 §3.6.2); it comes back when the node goes. */
    @Test
    void anAliasGivesWayToANodeAndComesBack() {
        Map<Long, Node> state = new TreeMap<>();
        LiveZones z = rebuild(List.of(), SERIAL);
        assertEquals(
                Type.CNAME,
                z.at(LiveZones.name("n5.lab.test"))
                        .orElseThrow()
                        .keySet()
                        .iterator()
                        .next());
        apply(z, state, node(7, "n5.lab.test", List.of(addr(2, 0)), NodeState.READY));
        assertEquals(
                Set.of(Type.A),
                z.at(LiveZones.name("n5.lab.test")).orElseThrow().keySet());
        delete(z, state, 7);
        assertEquals(
                Set.of(Type.CNAME),
                z.at(LiveZones.name("n5.lab.test")).orElseThrow().keySet());
    }

    /** An empty non-terminal answers NODATA while a name lies below it, NXDOMAIN once the last one goes. */
    @Test
    void emptyNonTerminalsFollowTheNamesBelow() throws Exception {
        Map<Long, Node> state = new TreeMap<>();
        LiveZones z = rebuild(List.of(), SERIAL);
        apply(z, state, node(1, "deep.a.rack1.cluster.test", List.of(addr(0, 0)), NodeState.READY));
        apply(z, state, node(2, "b.rack1.cluster.test", List.of(addr(0, 1)), NodeState.READY));
        assertEquals(
                org.xbill.DNS.Rcode.NOERROR,
                respond(z, "rack1.cluster.test.", Type.A).getRcode());
        delete(z, state, 1);
        assertEquals(
                org.xbill.DNS.Rcode.NOERROR,
                respond(z, "rack1.cluster.test.", Type.A).getRcode());
        assertEquals(
                org.xbill.DNS.Rcode.NXDOMAIN,
                respond(z, "a.rack1.cluster.test.", Type.A).getRcode());
        delete(z, state, 2);
        assertEquals(
                org.xbill.DNS.Rcode.NXDOMAIN,
                respond(z, "rack1.cluster.test.", Type.A).getRcode());
    }

    /** The SOA serial changes the apexes only; negative answers carry the new one. */
    @Test
    void serialBump() throws Exception {
        LiveZones z = rebuild(List.of(node(1, "n1.cluster.test", List.of(addr(0, 0)), NodeState.READY)), SERIAL);
        z.setSerial(SERIAL + 1);
        compare(z, z.nodes().values(), SERIAL + 1);
        Message r = respond(z, "nope.cluster.test.", Type.A);
        assertTrue(r.getSection(org.xbill.DNS.Section.AUTHORITY)
                .get(0)
                .rdataToString()
                .contains(" " + (SERIAL + 1) + " "));
    }

    /** Random sequences of creates, renames, address changes, moves and deletes, checked after every step. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void randomChangesEqualARebuild(long seed) {
        Random rnd = new Random(seed);
        Map<Long, Node> state = new TreeMap<>();
        List<Node> initial = new ArrayList<>();
        for (int i = 0; i < rnd.nextInt(4); i++) {
            Node n = randomNode(rnd, 100 + i);
            initial.add(n);
            state.put(n.id(), n);
        }
        LiveZones z = rebuild(initial, SERIAL);
        long nextId = 1;
        long serial = SERIAL;
        for (int step = 0; step < 60; step++) {
            int op = rnd.nextInt(10);
            List<Long> ids = new ArrayList<>(state.keySet());
            if (op < 3 || ids.isEmpty()) {
                apply(z, state, randomNode(rnd, nextId++));
            } else if (op < 5) {
                delete(z, state, ids.get(rnd.nextInt(ids.size())));
            } else if (op == 9) {
                serial++;
                z.setSerial(serial);
                compare(z, state.values(), serial);
            } else {
                Node n = state.get(ids.get(rnd.nextInt(ids.size())));
                Node changed = switch (op) {
                    case 5 -> node(n.id(), NAMES[rnd.nextInt(NAMES.length)], n.addresses(), n.state()); // rename
                    case 6 -> node(n.id(), n.name(), randomAddresses(rnd), n.state()); // new addresses, other networks
                    case 7 ->
                        node(
                                n.id(),
                                n.name(),
                                n.addresses(),
                                NodeState.values()[rnd.nextInt(NodeState.values().length)]);
                    default -> randomNode(rnd, n.id()); // everything at once
                };
                apply(z, state, changed);
            }
        }
        for (Long id : new ArrayList<>(state.keySet())) {
            delete(z, state, id);
        }
    }

    Node randomNode(Random rnd, long id) {
        return node(id, NAMES[rnd.nextInt(NAMES.length)], randomAddresses(rnd), NodeState.READY);
    }

    static List<NodeAddress> randomAddresses(Random rnd) {
        Map<Integer, NodeAddress> byNet = new LinkedHashMap<>();
        int n = rnd.nextInt(4); // none, or up to three networks; addresses may clash with another node's
        for (int i = 0; i < n; i++) {
            int net = rnd.nextInt(NETS.length);
            byNet.putIfAbsent(net, addr(net, rnd.nextInt(4)));
        }
        return List.copyOf(byNet.values());
    }

    void apply(LiveZones z, Map<Long, Node> state, Node n) {
        state.put(n.id(), n);
        z.put(n);
        compare(z, state.values());
    }

    void delete(LiveZones z, Map<Long, Node> state, long id) {
        state.remove(id);
        z.remove(id);
        compare(z, state.values());
    }

    void compare(LiveZones z, Collection<Node> nodes) {
        compare(z, nodes, z.serial());
    }

    /** The zones changed in place equal a rebuild of these nodes, and the former builder's content. */
    void compare(LiveZones z, Collection<Node> nodes, long serial) {
        LiveZones fresh = rebuild(nodes, serial);
        assertEquals(serial, z.serial());
        assertEquals(canonical(fresh.names()), canonical(z.names()));
        assertEquals(fresh.nonTerminals(), z.nonTerminals());
        assertEquals(encoded(fresh.answers().entries()), encoded(z.answers().entries()));
        List<Node> byId = new ArrayList<>(nodes);
        byId.sort(java.util.Comparator.comparingLong(Node::id));
        ReferenceZones ref =
                ReferenceZones.build(CFG.networks(), CFG.adminNetwork(), byId, ADDRESSING, CFG.dns(), serial);
        assertEquals(canonical(ref.names()), canonical(z.names()), "as the former builder made them");
        assertEquals(ref.nonTerminals(), z.nonTerminals());
        assertEquals(Set.copyOf(ref.zones()), Set.copyOf(z.zones())); // same-length apexes: any order
        AnswerCache refAnswers = new AnswerCache();
        ref.names().forEach((name, sets) -> refAnswers.update(name, sets, Map.of()));
        assertEquals(encoded(refAnswers.entries()), encoded(z.answers().entries()));
        for (Name q : queryNames(z, fresh)) {
            for (int type : new int[] {Type.A, Type.AAAA, Type.PTR, Type.CNAME, Type.SOA, Type.NS, Type.MX, Type.ANY}) {
                Message query = Message.newQuery(Record.newRecord(q, type, DClass.IN));
                query.getHeader().setID(4242);
                byte[] wire = query.toWire();
                assertArrayEquals(
                        responder.respond(query, fresh).orElseThrow().toWire(),
                        responder.respond(query, z).orElseThrow().toWire(),
                        q + " " + Type.string(type));
                assertEquals(
                        fast.answer(wire, wire.length, fresh, true).map(Arrays::toString),
                        fast.answer(wire, wire.length, z, true).map(Arrays::toString),
                        "fast path " + q + " " + Type.string(type));
            }
        }
        for (Name zone : z.zones()) {
            assertEquals(rrsets(fresh.zoneContents(zone)), rrsets(z.zoneContents(zone)), "AXFR of " + zone);
        }
    }

    static Set<Name> queryNames(LiveZones a, LiveZones b) {
        Set<Name> out = new LinkedHashSet<>();
        for (LiveZones z : List.of(a, b)) {
            for (Name n : z.names().keySet()) {
                out.add(n);
                for (int i = 1; i < n.labels() - 1; i++) {
                    out.add(new Name(n, i));
                }
            }
        }
        for (String s : NAMES) {
            out.add(LiveZones.name(s));
            out.add(LiveZones.name("zz." + s));
        }
        for (String[] net : ADDRS) {
            for (String ip : net) {
                out.add(ReverseMap.fromAddress(Ipv4Address.parse(ip).toInetAddress()));
            }
        }
        out.add(LiveZones.name("nope.cluster.test"));
        return out;
    }

    /** Name -> its RRsets in order, each as its type and records in order. */
    static Map<Name, List<String>> canonical(Map<Name, Map<Integer, RRset>> names) {
        Map<Name, List<String>> out = new HashMap<>();
        names.forEach((n, sets) -> {
            List<String> l = new ArrayList<>();
            sets.forEach((t, s) -> l.add(Type.string(t) + " " + s.rrs(false)));
            out.put(n, l);
        });
        return out;
    }

    static Set<String> rrsets(List<RRset> sets) {
        Set<String> out = new java.util.HashSet<>();
        sets.forEach(s -> out.add(s.getName() + " " + Type.string(s.getType()) + " " + s.rrs(false)));
        return out;
    }

    static Map<String, String> encoded(Map<String, AnswerCache.Entry> entries) {
        Map<String, String> out = new HashMap<>();
        entries.forEach((k, e) -> out.put(k, e.count() + ":" + Arrays.toString(e.answers())));
        return out;
    }

    Message respond(LiveZones z, String name, int type) throws Exception {
        return responder
                .respond(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)), z)
                .orElseThrow();
    }

    void assertAnswer(LiveZones z, String name, int type, String expected) {
        try {
            Message r = respond(z, name, type);
            List<Record> ans = r.getSection(org.xbill.DNS.Section.ANSWER);
            if (expected == null) {
                assertTrue(ans.isEmpty(), r.toString());
            } else {
                assertEquals(expected, ans.get(0).rdataToString(), r.toString());
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
