package dev.anvil.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import dev.anvil.dns.policy.DnsResponder;
import dev.anvil.dns.policy.LiveZones;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsResponderTest {
    static final AnvilConfig CFG = new ConfigLoader().embeddedDefault();
    static final Node N1 = new Node(
            1,
            "n1.cluster.test",
            List.of(MacAddress.parse("52:54:00:12:34:56")),
            List.of(new NodeAddress("admin", Ipv4Address.parse("10.10.0.42"))),
            "local",
            Optional.empty(),
            false,
            true,
            NodeState.READY,
            Instant.EPOCH,
            Instant.EPOCH);
    static final dev.anvil.config.DnsConfig DNS = new dev.anvil.config.DnsConfig(
            true,
            CFG.dns().listen(),
            "anvil",
            300,
            60,
            1232,
            List.of(),
            java.util.Map.of("www.cluster.test", "n1.cluster.test", "ext.cluster.test", "mirror.example.org"),
            List.of(),
            List.of(),
            2000);
    static final LiveZones ZONES =
            LiveZones.build(CFG.networks(), "admin", List.of(N1), new Addressing(0x123456789aL), DNS, 7);
    final DnsResponder responder = new DnsResponder(1232);

    /** Table rows: name, type -> rcode, answer (first record's data or empty), authority type (or empty). */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "n1.cluster.test.   | A    | NOERROR  | 10.10.0.42                           | -",
                "N1.Cluster.TEST.   | A    | NOERROR  | 10.10.0.42                           | -",
                "n1.cluster.test.   | AAAA | NOERROR  | fd12:3456:789a:1:944:e70b:7fcc:f407   | -",
                "42.0.10.10.in-addr.arpa. | PTR | NOERROR | n1.cluster.test.                 | -",
                "7.0.4.f.c.c.f.7.b.0.7.e.4.4.9.0.1.0.0.0.a.9.8.7.6.5.4.3.2.1.d.f.ip6.arpa. | PTR | NOERROR | n1.cluster.test. | -",
                "anvil.cluster.test. | A   | NOERROR  | 10.10.0.1                            | -",
                "cluster.test.      | SOA  | NOERROR  | anvil.cluster.test. hostmaster.cluster.test. 7 3600 600 604800 60 | -",
                "cluster.test.      | NS   | NOERROR  | anvil.cluster.test.                  | -",
                "nope.cluster.test. | A    | NXDOMAIN | -                                    | SOA",
                "n1.cluster.test.   | MX   | NOERROR  | -                                    | SOA",
                "0.10.10.in-addr.arpa. | A | NOERROR  | -                                    | SOA",
                "example.com.       | A    | REFUSED  | -                                    | -",
                "www.cluster.test.  | A    | NOERROR  | n1.cluster.test.                     | -",
                "www.cluster.test.  | CNAME | NOERROR | n1.cluster.test.                     | -",
                "ext.cluster.test.  | AAAA | NOERROR  | mirror.example.org.                  | -",
            })
    void answers(String name, String type, String rcode, String answer, String authority) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.value(type), DClass.IN));
        Message r = responder.respond(q, ZONES).orElseThrow();
        assertEquals(Rcode.value(rcode), r.getRcode(), r.toString());
        List<Record> ans = r.getSection(Section.ANSWER);
        if (answer == null) {
            assertTrue(ans.isEmpty(), r.toString());
        } else {
            assertEquals(answer, ans.get(0).rdataToString(), r.toString());
            if (name.startsWith("www") && type.equals("A")) {
                assertEquals("10.10.0.42", ans.get(1).rdataToString(), "the alias is followed inside the zone");
            }
            assertEquals(name, ans.get(0).getName().toString(), "the question's case is kept");
        }
        List<Record> auth = r.getSection(Section.AUTHORITY);
        assertEquals(authority == null ? 0 : 1, auth.size(), r.toString());
        if (authority != null) {
            assertEquals(Type.SOA, auth.get(0).getType());
        }
        assertEquals(!rcode.equals("REFUSED"), r.getHeader().getFlag(Flags.AA));
    }

    @ParameterizedTest
    @CsvSource({"true", "false"})
    void responsesAreNeverAnswered(boolean qr) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("n1.cluster.test."), Type.A, DClass.IN));
        if (qr) {
            q.getHeader().setFlag(Flags.QR);
        }
        assertEquals(!qr, responder.respond(q, ZONES).isPresent());
        assertFalse(ZONES.zones().isEmpty());
    }

    /**
     * Found by DnsFuzzTest: a query with TC set whose question does not parse comes out of dnsjava with QDCOUNT 1
     * and no question; the responder threw a NullPointerException (the server counted an error). It is FORMERR.
     */
    @Test
    void aTruncatedQueryWithoutItsQuestionIsFormerr() throws Exception {
        Message q = new Message(java.util.HexFormat.of()
                .parseHex("000003010001000000001900"
                        + "302e73746572047465737400001c000100002910000000800000000080000000"));
        Message r = new DnsResponder(1232).respond(q, ZONES).orElseThrow();
        assertEquals(Rcode.FORMERR, r.getRcode());
        new Message(r.toWire(512));
    }

    /**
     * Found by DnsFuzzTest: a truncated (TC) query with no question but an OPT of version 1 took the BADVERS
     * answer, which copied the missing question in as a null record; encoding it threw. BADVERS without a question.
     */
    @Test
    void badversForATruncatedQueryWithoutAQuestionEncodes() throws Exception {
        Message q = new Message(java.util.HexFormat.of()
                .parseHex(
                        "23ba3600000000000000680000000000000000000000000000000000000000000000000000000000000000000023ba03"
                                + "414701000001006800000000000000210000000000000000000000000000000000000000000000100001000000002900"
                                + "0000ffff0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                                + "010002000000"));
        assertTrue(q.getSection(Section.QUESTION).isEmpty());
        Message r = responder.respond(q, ZONES).orElseThrow();
        assertEquals(Rcode.BADVERS, r.getRcode());
        assertTrue(new Message(r.toWire(512)).getSection(Section.QUESTION).isEmpty());
    }
}
