package dev.anvil.dhcp6.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Hostile and broken messages: each is a {@link MalformedPacketException} that says what is wrong. */
class Dhcp6HostileTest {
    static final String DUID = "00030001525400123456";
    static final String LINK = "fd000007000000000000000000000001";
    static final String PEER = "fe80000000000000505400fffe123456";

    static String opt(int code, String valueHex) {
        return String.format("%04x%04x", code, valueHex.length() / 2) + valueHex;
    }

    static String solicit(String optionsHex) {
        return "01abcdef" + optionsHex;
    }

    static String relay(String optionsHex) {
        return "0c00" + LINK + PEER + optionsHex;
    }

    static void malformed(String hex, String reason) {
        MalformedPacketException e = assertThrows(
                MalformedPacketException.class,
                () -> Dhcp6Codec.decode(HexFormat.of().parseHex(hex)),
                hex);
        assertTrue(e.getMessage().contains(reason), "\"" + e.getMessage() + "\" should say " + reason);
    }

    static Dhcp6Message decodes(String hex) throws MalformedPacketException {
        return Dhcp6Codec.decode(HexFormat.of().parseHex(hex));
    }

    @Test
    void truncatedHeaders() {
        malformed("", "message type needs 1 bytes");
        malformed("01abcd", "shorter than its 4-byte header");
        malformed("0c00" + LINK, "shorter than its 34-byte header");
        malformed("0d", "shorter than its 34-byte header");
    }

    @Test
    void messageTypesOutsideRfc8415() {
        malformed("00abcdef", "message type 0");
        malformed("0eabcdef", "message type 14");
        malformed("ffabcdef", "message type 255");
    }

    @Test
    void optionsRunningPastTheEnd() {
        malformed(solicit("000100"), "length of option 1");
        malformed(solicit("0001000a" + "0003000152"), "runs 5 past the end");
        malformed(solicit("ffffffff"), "option 65535 of 65535 bytes runs 65535 past the end");
        // The IAADDR's own option claims more than the IAADDR holds.
        String iaaddr = opt(5, LINK + "0000007800000078" + "000d0010" + "0000");
        malformed(solicit(opt(3, "00123456" + "00000000" + "00000000" + iaaddr)), "past the end");
    }

    @Test
    void duplicatesOfOptionsThatMayAppearOnce() throws Exception {
        malformed(solicit(opt(1, DUID) + opt(1, DUID)), "option 1 appears twice");
        malformed(solicit(opt(8, "0000") + opt(6, "0017") + opt(8, "0001")), "option 8 appears twice");
        malformed(solicit(opt(61, "0007") + opt(61, "0007")), "option 61 appears twice");
        // IA_NA, VENDOR_CLASS and options this codec does not know may repeat.
        Dhcp6Message m = decodes(solicit(opt(3, "00000001" + "0".repeat(16))
                + opt(3, "00000002" + "0".repeat(16))
                + opt(16, "00000157")
                + opt(16, "00000158")
                + opt(200, "")
                + opt(200, "01")));
        assertEquals(2, m.options().iaNa().size());
        assertEquals(6, m.options().size());
    }

    @Test
    void zeroLengthWhereAValueIsRequired() {
        malformed(solicit(opt(1, "")), "CLIENTID: a DUID of 0 bytes");
        malformed(solicit(opt(2, "")), "SERVERID: a DUID of 0 bytes");
        malformed(solicit(opt(3, "")), "IA_NA IAID needs 4 bytes");
        malformed(solicit(opt(4, "")), "IA_TA IAID needs 4 bytes");
        malformed(solicit(opt(7, "")), "PREFERENCE has 0 bytes, not 1");
        malformed(solicit(opt(8, "")), "ELAPSED_TIME has 0 bytes, not 2");
        malformed(solicit(opt(13, "")), "STATUS_CODE code needs 2 bytes");
        malformed(solicit(opt(15, "")), "USER_CLASS is empty");
        malformed(solicit(opt(16, "")), "VENDOR_CLASS enterprise number needs 4 bytes");
        malformed(solicit(opt(17, "")), "VENDOR_OPTS enterprise number needs 4 bytes");
        malformed(solicit(opt(18, "")), "INTERFACE_ID is empty");
        malformed(solicit(opt(23, "")), "DNS_SERVERS of 0 bytes");
        malformed(solicit(opt(24, "")), "DOMAIN_LIST is empty");
        malformed(solicit(opt(32, "")), "INFORMATION_REFRESH_TIME has 0 bytes, not 4");
        malformed(solicit(opt(59, "")), "OPT_BOOTFILE_URL is empty");
        malformed(solicit(opt(60, "")), "OPT_BOOTFILE_PARAM is empty");
        malformed(solicit(opt(61, "")), "OPT_CLIENT_ARCH_TYPE of 0 bytes");
        malformed(solicit(opt(62, "")), "OPT_NII has 0 bytes, not 3");
        malformed(solicit(opt(79, "")), "CLIENT_LINKLAYER_ADDR hardware type needs 2 bytes");
        malformed(solicit(opt(79, "0001")), "CLIENT_LINKLAYER_ADDR address is empty");
        malformed(relay(opt(9, "")), "message type needs 1 bytes");
    }

    @Test
    void wrongFixedSizesAndShapes() {
        malformed(solicit(opt(14, "00")), "RAPID_COMMIT has 1 bytes, not 0");
        malformed(solicit(opt(8, "000000")), "ELAPSED_TIME has 3 bytes, not 2");
        malformed(solicit(opt(6, "001700")), "ORO of 3 bytes");
        malformed(solicit(opt(23, LINK + "00")), "DNS_SERVERS of 17 bytes");
        malformed(solicit(opt(3, "00123456" + "00000000")), "IA_NA T2 needs 4 bytes");
        malformed(solicit(opt(5, LINK + "00000078")), "IAADDR valid lifetime needs 4 bytes");
        malformed(solicit(opt(1, "0004" + "00".repeat(15))), "a DUID of type 4 cannot have 17 bytes");
        malformed(solicit(opt(1, "0001000100000000")), "a DUID of type 1 cannot have 8 bytes");
        malformed(solicit(opt(1, "0003" + "00".repeat(129))), "a DUID of 131 bytes");
        malformed(solicit(opt(13, "0000" + "ff")), "STATUS_CODE message is not UTF-8");
        malformed(solicit(opt(59, "c328")), "OPT_BOOTFILE_URL is not UTF-8");
    }

    @Test
    void domainNames() throws Exception {
        malformed(solicit(opt(24, "07636c7573746572" + "c00c")), "compression is not allowed");
        malformed(solicit(opt(24, "07636c7573746572")), "domain name label length needs 1 bytes");
        malformed(solicit(opt(24, "40" + "61".repeat(64) + "00")), "label length 64");
        malformed(solicit(opt(24, "03612e6200")), "label byte 0x2e");
        malformed(solicit(opt(24, ("3f" + "61".repeat(63)).repeat(4) + "00")), "over 255 bytes");
        Dhcp6Message m = decodes(solicit(opt(24, "00" + "0474657374" + "00")));
        assertEquals(
                java.util.List.of("", "test"),
                m.options().first(Dhcp6Option.DomainList.class).orElseThrow().names(),
                "the root is the empty name");
    }

    @Test
    void hugeCountsAreBoundedByTheBytesThatCarryThem() {
        malformed(solicit(opt(15, "ffff" + "00")), "USER_CLASS item needs 65535 bytes, 1 left");
        malformed(solicit(opt(16, "00000157" + "fffe")), "VENDOR_CLASS item needs 65534 bytes, 0 left");
        malformed(solicit(opt(60, "0004" + "7175")), "OPT_BOOTFILE_PARAM parameter needs 4 bytes, 2 left");
        malformed(solicit(opt(16, "00000157" + "00")), "VENDOR_CLASS item length needs 2 bytes");
        malformed(new String(new char[2 * (Dhcp6Codec.MAX_SIZE + 1)]).replace('\0', '0'), "over 65535");
    }

    @Test
    void relayStructure() throws Exception {
        malformed(solicit(opt(9, "01abcdef")), "RELAY_MSG outside a relay message");
        malformed(relay(opt(18, "65746830")), "RELAY-FORW without RELAY_MSG".replace('-', '_'));
        malformed(relay(opt(9, "01abcd")), "shorter than its 4-byte header");
        malformed(relay(opt(9, "01abcdef") + opt(9, "01abcdef")), "option 9 appears twice");
        assertInstanceOf(Dhcp6Message.Relay.class, decodes(relay(opt(9, "01abcdef"))));
    }

    static String nestedRelays(int layers) {
        String m = solicit(opt(1, DUID));
        for (int i = 0; i < layers; i++) {
            m = "0c" + String.format("%02x", i & 0xff) + LINK + PEER + opt(9, m);
        }
        return m;
    }

    @Test
    void relayNestingStopsAtRfc8415sHopCountLimit() throws Exception {
        Dhcp6Message.Relay deepest =
                assertInstanceOf(Dhcp6Message.Relay.class, decodes(nestedRelays(Dhcp6Codec.MAX_RELAY_LAYERS)));
        assertEquals(8, deepest.hopCount());
        assertEquals(MessageType.SOLICIT, deepest.innermost().orElseThrow().type());
        malformed(nestedRelays(Dhcp6Codec.MAX_RELAY_LAYERS + 1), "relay messages nested deeper than 9");
        malformed(nestedRelays(1500), "relay messages nested deeper than 9");
    }

    static String nestedIaNa(int levels) {
        String o = "";
        for (int i = 0; i < levels; i++) {
            o = opt(3, "00000001" + "00000000" + "00000000" + o);
        }
        return solicit(o);
    }

    @Test
    void optionNestingIsBounded() throws Exception {
        decodes(nestedIaNa(OptionReader.MAX_OPTION_NESTING));
        malformed(nestedIaNa(OptionReader.MAX_OPTION_NESTING + 1), "options nested deeper than 3");
        malformed(nestedIaNa(3000), "options nested deeper than 3");
    }

    @Test
    void manyEmptyUnknownOptionsAreLinearWork() throws Exception {
        int n = (Dhcp6Codec.MAX_SIZE - 4) / 4;
        Dhcp6Message m = decodes(solicit(opt(200, "").repeat(n)));
        assertEquals(n, m.options().size());
    }
}
