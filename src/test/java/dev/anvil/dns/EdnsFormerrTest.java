package dev.anvil.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.dns.policy.DnsResponder;
import dev.anvil.dns.policy.FastPath;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Message;

/**
 * Malformed EDNS gets FORMERR (RFC 6891 §6.1.1, §7), as NSD and Knot answer it; byte for byte, on hand-built
 * queries for n1.cluster.test A with ID 0x1234 and RD. The fast path must step aside for every one of them.
 */
class EdnsFormerrTest {
    static final String Q = "026e3107636c75737465720474657374000001 0001";
    static final String OPT = "000029 04d0 00000000 0000";
    /** The FORMERR: the ID, QR and RD, RCODE 1, no question. */
    static final String FORMERR = "1234 8101 0000 0000 0000 0000";

    static final String FORMERR_OPT = "1234 8101 0000 0000 0000 0001" + OPT;

    final FastPath fast = new FastPath(1232);
    final DnsResponder full = new DnsResponder(1232);

    /** What the server does with one UDP query: the fast path, else dnsjava; a parse failure gets {@code formerr}. */
    Optional<byte[]> serve(byte[] q) {
        Optional<byte[]> quick = fast.answer(q, q.length, DnsResponderTest.ZONES, true);
        if (quick.isPresent()) {
            return quick;
        }
        Message m;
        try {
            m = new Message(q);
        } catch (Exception e) {
            return full.formerr(q, q.length);
        }
        return full.respond(m, DnsResponderTest.ZONES).map(r -> r.toWire(full.maxUdpSize(m)));
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                // RFC 6891 §6.1.1: more than one OPT; the first is sound, so the answer carries one.
                "two OPTs                  | 1234 0100 0001 0000 0000 0002 " + Q + OPT + OPT + "| " + FORMERR_OPT,
                "OPT owned by a.           | 1234 0100 0001 0000 0000 0001 " + Q + "016100 0029 04d0 00000000 0000 | "
                        + FORMERR,
                "OPT in the authority      | 1234 0100 0001 0000 0001 0000 " + Q + OPT + "| " + FORMERR,
                "OPT in the answer         | 1234 0100 0001 0001 0000 0000 " + Q + OPT + "| " + FORMERR,
                "OPT as the question type  | 1234 0100 0001 0000 0000 0000 026e3107636c75737465720474657374000029 0001 | "
                        + FORMERR,
                "OPT and a non-root OPT    | 1234 0100 0001 0000 0000 0002 " + Q + OPT
                        + "016100 0029 04d0 00000000 0000 | " + FORMERR_OPT,
                // dnsjava cannot read these: the FORMERR is built from the bytes.
                "rdata longer than the message | 1234 0100 0001 0000 0000 0001 " + Q
                        + "000029 04d0 00000000 0008 000a0002 ab | " + FORMERR_OPT,
                "option longer than the rdata  | 1234 0100 0001 0000 0000 0001 " + Q
                        + "000029 04d0 00000000 0004 000a0010 | " + FORMERR_OPT,
                "cookie of 2 bytes             | 1234 0100 0001 0000 0000 0001 " + Q
                        + "000029 04d0 00000000 0006 000a0002 abcd | " + FORMERR_OPT,
                "3 bytes of rdata              | 1234 0100 0001 0000 0000 0001 " + Q
                        + "000029 04d0 00000000 0003 000a00 | " + FORMERR_OPT,
                "opcode STATUS, bad rdata, no RD | 1234 1000 0001 0000 0000 0001 " + Q
                        + "000029 04d0 00000000 0004 000a0010 | " + "1234 9001 0000 0000 0000 0001" + OPT,
                "compressed name, truncated OPT  | 1234 0100 0001 0000 0000 0001 " + Q
                        + "c00c 0029 04d0 00000000 0004 000a | " + FORMERR,
                "a question cut short            | 1234 0100 0001 0000 0000 0001 026e3107636c7573 | " + FORMERR,
                "header only, 2 questions        | 1234 0100 0002 0000 0000 0000 | " + FORMERR,
                // No whole header, or a response: dropped.
                "11 bytes                        | 1234 0100 0001 0000 0000 00 | -",
                "a response that does not parse  | 1234 8100 0001 0000 0000 0001 " + Q
                        + "000029 04d0 00000000 0004 000a0010 | -",
            })
    void formerr(String what, String query, String expected) {
        byte[] q = hex(query);
        assertTrue(fast.answer(q, q.length, DnsResponderTest.ZONES, true).isEmpty(), "the fast path steps aside");
        Optional<byte[]> r = serve(q);
        assertEquals(
                Optional.ofNullable(expected).map(e -> e.replace(" ", "")), r.map(HexFormat.of()::formatHex), what);
    }

    /** Sound EDNS options still get their answer on the fast path, the same as on the full one. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no option      | 0000",
                "client cookie  | 000c 000a0008 0102030405060708",
                "server cookie  | 0014 000a0010 0102030405060708 1112131415161718",
                "padding        | 0006 000c0002 0000",
            })
    void soundOptionsAreAnswered(String what, String rdata) throws Exception {
        byte[] q = hex("1234 0100 0001 0000 0000 0001 " + Q + "000029 04d0 00000000" + rdata);
        byte[] quick = fast.answer(q, q.length, DnsResponderTest.ZONES, true).orElseThrow();
        byte[] slow = full.respond(new Message(q), DnsResponderTest.ZONES)
                .orElseThrow()
                .toWire();
        assertEquals(HexFormat.of().formatHex(slow), HexFormat.of().formatHex(quick), what);
        assertEquals(0, quick[3] & 0x0f, "NOERROR");
    }
}
