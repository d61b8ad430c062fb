package dev.anvil.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.dns.policy.DnsResponder;
import dev.anvil.dns.policy.FastPath;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The hot path must say exactly what the full path says, or step aside. */
class FastPathTest {
    final FastPath fast = new FastPath(1232);
    final DnsResponder full = new DnsResponder(1232);

    static Message query(String name, int type, boolean edns) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        if (edns) {
            q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        }
        return q;
    }

    @ParameterizedTest
    @CsvSource({
        "n1.cluster.test., A, true",
        "N1.CLUSTER.test., A, false",
        "n1.cluster.test., AAAA, true",
        "42.0.10.10.in-addr.arpa., PTR, true",
        "cluster.test., NS, false",
        "anvil.cluster.test., AAAA, true"
    })
    void sameAnswerAsTheFullPath(String name, String type, boolean edns) throws Exception {
        Message q = query(name, Type.value(type), edns);
        byte[] wire = q.toWire();
        byte[] quick =
                fast.answer(wire, wire.length, DnsResponderTest.ZONES, true).orElseThrow();
        Message a = new Message(quick);
        Message b = full.respond(q, DnsResponderTest.ZONES).orElseThrow();
        assertEquals(b.getRcode(), a.getRcode());
        assertEquals(b.getHeader().getID(), a.getHeader().getID());
        for (int f : new int[] {Flags.QR, Flags.AA, Flags.RD, Flags.TC, Flags.RA}) {
            assertEquals(b.getHeader().getFlag(f), a.getHeader().getFlag(f), "flag " + f);
        }
        assertEquals(b.getSection(Section.QUESTION), a.getSection(Section.QUESTION));
        List<Record> ra = a.getSection(Section.ANSWER);
        List<Record> rb = b.getSection(Section.ANSWER);
        assertEquals(rb.size(), ra.size());
        for (int i = 0; i < ra.size(); i++) {
            assertEquals(rb.get(i).toString(), ra.get(i).toString());
            assertEquals(name, ra.get(i).getName().toString(), "the question's case");
        }
        assertEquals(edns, a.getOPT() != null);
        if (edns) {
            assertEquals(1232, a.getOPT().getPayloadSize());
        }
    }

    @Test
    void stepsAsideForWhatItDoesNotKnow() throws Exception {
        for (Message q : List.of(
                query("nope.cluster.test.", Type.A, true),
                query("cluster.test.", Type.SOA, false),
                query("n1.cluster.test.", Type.ANY, false),
                query("example.com.", Type.A, false))) {
            byte[] wire = q.toWire();
            assertTrue(
                    fast.answer(wire, wire.length, DnsResponderTest.ZONES, true).isEmpty(), q.toString());
        }
        Message resp = query("n1.cluster.test.", Type.A, false);
        resp.getHeader().setFlag(Flags.QR);
        byte[] w = resp.toWire();
        assertEquals(Optional.empty(), fast.answer(w, w.length, DnsResponderTest.ZONES, true));
    }

    @Test
    void garbageNeverThrows() throws Exception {
        byte[] good = query("n1.cluster.test.", Type.A, true).toWire();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 50_000; i++) {
            byte[] b = java.util.Arrays.copyOf(good, r.nextInt(good.length + 1));
            if (b.length > 0) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            fast.answer(b, b.length, DnsResponderTest.ZONES, true);
        }
    }

    /**
     * Found by DnsFuzzTest: an OPT whose option claims more bytes than the rdata holds. dnsjava refuses the query
     * (the full path drops it as malformed), so the fast path must not answer it either.
     */
    @Test
    void stepsAsideForAnOptWhoseOptionsOverrunTheRdata() throws Exception {
        byte[] wire = java.util.HexFormat.of()
                .parseHex("000201000001000000000001024e3107436c7573746572045465737400" + "00010001"
                        + "00002904d000000000000c"
                        + "000cfa080000000000000000"); // PADDING (the fast path takes it) with a length past the rdata
        assertTrue(fast.answer(wire, wire.length, DnsResponderTest.ZONES, true).isEmpty());
        // The same option with its true length is answered.
        wire[wire.length - 10] = 0;
        wire[wire.length - 9] = 8;
        new Message(wire);
        assertTrue(fast.answer(wire, wire.length, DnsResponderTest.ZONES, true).isPresent());
    }
}
