package dev.anvil.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AddressingTest {

    @Test
    void interfaceIdIsLowSixtyFourBitsOfMd5OfLowercaseFqdn() {
        // md5("n1.cluster.test") = 578091dce66466f70944e70b7fccf407 (computed with md5sum)
        assertEquals(0x0944e70b7fccf407L, InterfaceId.of("n1.cluster.test"));
        assertEquals(InterfaceId.of("n1.cluster.test"), InterfaceId.of("N1.Cluster.Test."));
    }

    @Test
    void ulaPrefixIsFdGlobalIdSubnetId() {
        Ipv6Prefix64 p = UlaPrefix.of(0x123456789aL, 1);
        assertEquals("fd12:3456:789a:1::/64", p.toString());
        assertEquals(
                "fd12:3456:789a:1:944:e70b:7fcc:f407",
                Ipv6Prefix64.format(p.address(InterfaceId.of("n1.cluster.test"))));
        assertThrows(IllegalArgumentException.class, () -> UlaPrefix.of(1L << 40, 1));
        assertThrows(IllegalArgumentException.class, () -> UlaPrefix.of(1, 0x10000));
    }

    @Test
    void globalIdIsFortyBitsAndRoundTripsAsTenHexDigits() {
        long id = UlaPrefix.newGlobalId(new SplittableRandom(7));
        assertTrue(id >= 0 && id <= UlaPrefix.GLOBAL_ID_MASK);
        assertEquals(id, UlaPrefix.parseGlobalId(UlaPrefix.formatGlobalId(id)));
        assertEquals("00000000ff", UlaPrefix.formatGlobalId(255));
    }

    @Test
    void fixedPrefixParsesWithOrWithoutLength() {
        assertEquals(Ipv6Prefix64.parse("fd12:3456:789a:1::"), Ipv6Prefix64.parse("fd12:3456:789a:1::/64"));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix64.parse("fd12:3456:789a:1::1"));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix64.parse("fd12::/48"));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix64.parse("example.com"));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix64.parse("10.0.0.1"));
    }

    @Test
    void formatFollowsRfc5952() {
        assertEquals("2001:db8::1", Ipv6Prefix64.format(new Ipv6Prefix64(0x20010db800000000L).address(1)));
        assertEquals(
                "2001:db8:0:1:1:1:1:1",
                Ipv6Prefix64.format(new Ipv6Prefix64(0x20010db800000001L).address(0x0001000100010001L)));
        assertEquals("::", Ipv6Prefix64.format(new Ipv6Prefix64(0).address(0)));
    }

    @Test
    void v6PrefixModes() {
        Network auto = new NetworkDraft(
                        "a", 7, "10.0.0.0/24", "10.0.0.10-10.0.0.20", null, null, "x.test", "auto", null, null)
                .validate();
        assertEquals("fd00:0:1:7::/64", auto.ipv6Prefix(1).orElseThrow().toString());
        Network none = new NetworkDraft(
                        "b", 8, "10.0.1.0/24", "10.0.1.10-10.0.1.20", null, null, "x.test", "none", null, null)
                .validate();
        assertTrue(none.ipv6Prefix(1).isEmpty());
        Network fixed = new NetworkDraft(
                        "c",
                        9,
                        "10.0.2.0/24",
                        "10.0.2.10-10.0.2.20",
                        null,
                        null,
                        "x.test",
                        "2001:db8:1:2::",
                        null,
                        null)
                .validate();
        assertEquals("2001:db8:1:2::/64", fixed.ipv6Prefix(1).orElseThrow().toString());
    }
}
