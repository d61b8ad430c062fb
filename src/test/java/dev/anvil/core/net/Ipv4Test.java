package dev.anvil.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4Test {
    @Test
    void parsesAndOrdersUnsigned() {
        assertEquals("255.255.255.255", Ipv4Address.parse("255.255.255.255").toString());
        assertTrue(Ipv4Address.parse("200.0.0.1").compareTo(Ipv4Address.parse("10.0.0.1")) > 0);
        assertEquals(
                Ipv4Address.parse("10.0.1.0"), Ipv4Address.parse("10.0.0.255").plus(1));
        assertEquals(Ipv4Address.parse("1.2.3.4"), Ipv4Address.fromBytes(new byte[] {1, 2, 3, 4}, 0));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "1.2.3",
                "1.2.3.4.5",
                "256.0.0.1",
                "01.2.3.4",
                "a.b.c.d",
                "1..2.3",
                " 1.2.3.4",
                "1.2.3.-4",
                "１.2.3.4"
            })
    void rejectsNonAddresses(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(text));
    }

    @Test
    void cidrBasics() {
        Ipv4Cidr c = Ipv4Cidr.parse("10.10.0.0/22");
        assertEquals("255.255.252.0", c.netmask().toString());
        assertEquals("10.10.3.255", c.broadcast().toString());
        assertTrue(c.isHostAddress(Ipv4Address.parse("10.10.3.254")));
        assertFalse(c.isHostAddress(Ipv4Address.parse("10.10.0.0")));
        assertTrue(Ipv4Cidr.parse("10.0.0.0/31").isHostAddress(Ipv4Address.parse("10.0.0.0")), "RFC 3021");
        assertEquals("0.0.0.0/0", Ipv4Cidr.parse("0.0.0.0/0").toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.0",
                "10.0.0.0/",
                "10.0.0.0/33",
                "10.0.0.0/-1",
                "10.0.0.0/8x",
                "10.0.0.1/8",
                "x/8",
                "10.0.0.0/008"
            })
    void rejectsBadCidrs(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse(text));
    }

    @Test
    void ranges() {
        Ipv4Range r = Ipv4Range.parse("10.0.0.10-10.0.0.19");
        assertEquals(10, r.size());
        assertTrue(r.overlaps(Ipv4Range.parse("10.0.0.19-10.0.0.30")));
        assertFalse(r.overlaps(Ipv4Range.parse("10.0.0.20-10.0.0.30")));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Range.parse("10.0.0.10"));
    }
}
