package dev.anvil.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    static InetAddress mapped(int a, int b, int c, int d) throws Exception {
        byte[] x = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) a, (byte) b, (byte) c, (byte) d};
        return Inet6Address.getByAddress(null, x, -1);
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4ClientItCarries() throws Exception {
        assertEquals(Optional.of(Ipv4Address.parse("10.10.0.7")), ClientAddress.ipv4(mapped(10, 10, 0, 7)));
        assertEquals(Optional.empty(), ClientAddress.ipv6(mapped(10, 10, 0, 7)));
        assertEquals(Optional.of(Ipv4Address.parse("10.10.0.7")), ClientAddress.ipv4(ip("10.10.0.7")));
        assertEquals(Optional.empty(), ClientAddress.ipv4(ip("fd00::a0a:7")));
        assertTrue(ClientAddress.ipv6(ip("fd00::a0a:7")).isPresent());
        assertEquals("10.10.0.7", ClientAddress.format(mapped(10, 10, 0, 7)));
        assertEquals("fd00:0:0:1::7", ClientAddress.format(ip("fd00:0:0:1:0:0:0:7")));
        assertEquals("[fd00:0:0:1::7]", ClientAddress.urlHost((Inet6Address) ip("fd00:0:0:1:0:0:0:7")));
    }

    @Test
    void ipv6ClientsAreLimitedPerSlash64AndIpv4PerAddress() throws Exception {
        InetAddress a = ClientAddress.limitKey(ip("fd00:0:0:1::1"));
        assertEquals(a, ClientAddress.limitKey(ip("fd00:0:0:1:dead:beef:1234:5678")));
        assertEquals(ip("fd00:0:0:1::"), a);
        assertNotEquals(a, ClientAddress.limitKey(ip("fd00:0:0:2::1")));
        assertEquals(ip("10.10.0.7"), ClientAddress.limitKey(mapped(10, 10, 0, 7)), "mapped counts as its IPv4");
        assertNotEquals(ClientAddress.limitKey(ip("10.10.0.7")), ClientAddress.limitKey(ip("10.10.0.8")));
    }

    @Test
    void prefixContainmentAndTheNetworkOfAnIpv6Address() throws Exception {
        Ipv6Prefix64 p = Ipv6Prefix64.parse("fd00:0:0:1::/64");
        assertTrue(p.contains((Inet6Address) ip("fd00:0:0:1:ffff::1")));
        assertEquals(p, Ipv6Prefix64.of((Inet6Address) ip("fd00:0:0:1:ffff::1")));
        assertTrue(!p.contains((Inet6Address) ip("fd00:0:0:2::1")));
    }
}
