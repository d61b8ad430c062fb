package dev.anvil.dhcp6.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anvil.core.net.InterfaceId;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp6.codec.Dhcp6Message.Client;
import dev.anvil.dhcp6.codec.Dhcp6Message.Relay;
import dev.anvil.dhcp6.codec.Dhcp6Option.BootfileParam;
import dev.anvil.dhcp6.codec.Dhcp6Option.BootfileUrl;
import dev.anvil.dhcp6.codec.Dhcp6Option.ClientId;
import dev.anvil.dhcp6.codec.Dhcp6Option.DnsServers;
import dev.anvil.dhcp6.codec.Dhcp6Option.DomainList;
import dev.anvil.dhcp6.codec.Dhcp6Option.IaAddress;
import dev.anvil.dhcp6.codec.Dhcp6Option.IaNa;
import dev.anvil.dhcp6.codec.Dhcp6Option.Preference;
import dev.anvil.dhcp6.codec.Dhcp6Option.RapidCommit;
import dev.anvil.dhcp6.codec.Dhcp6Option.RelayInterfaceId;
import dev.anvil.dhcp6.codec.Dhcp6Option.RelayMsg;
import dev.anvil.dhcp6.codec.Dhcp6Option.ServerId;
import dev.anvil.dhcp6.codec.Dhcp6Option.StatusCode;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The encoder's bytes, written out by hand option by option from RFC 8415, RFC 3646 and RFC 5970. */
class Dhcp6EncoderTest {
    static final Duid CLIENT = Duid.ll(1, MacAddress.parse("52:54:00:12:34:56").toBytes());
    static final Duid SERVER = Duid.ll(1, MacAddress.parse("02:00:00:00:00:01").toBytes());

    /** The node's derived address: the network's /64 and md5("n1.cluster.test")'s last 8 bytes, 0944e70b7fccf407. */
    static final Inet6Address NODE = Ipv6Prefix64.parse("fd00:6::/64").address(InterfaceId.of("n1.cluster.test"));

    static final String CLIENTID = "0001000a" + "0003" + "0001" + "525400123456";
    static final String SERVERID = "0002000a" + "0003" + "0001" + "020000000001";
    static final String IA_NA = "00030028" + "00123456" + "00000708" + "00000b40" // IAID, T1 1800, T2 2880
            + "00050018" + "fd000006000000000944e70b7fccf407" + "00000e10" + "00001c20"; // 3600, 7200 s
    static final String DNS = "00170010" + "fd000006000000000000000000000001";
    static final String DOMAINS = "0018000e" + "07" + "636c7573746572" + "04" + "74657374" + "00";
    static final String URL = "003b001e" + "746674703a2f2f5b666430303a363a3a315d2f736e706f6e6c792e656669";
    static final String PARAMS = "003c0011" + "0008" + "726f6f743d6e6673" + "0005" + "7175696574";

    static List<Dhcp6Option> answer() throws Exception {
        return List.of(
                new ClientId(CLIENT),
                new ServerId(SERVER),
                new IaNa(0x123456, 1800, 2880, Dhcp6Options.of(new IaAddress(NODE, 3600, 7200, Dhcp6Options.EMPTY))),
                new DnsServers(List.of((Inet6Address) InetAddress.getByName("fd00:6::1"))),
                new DomainList(List.of("cluster.test")),
                new BootfileUrl("tftp://[fd00:6::1]/snponly.efi"),
                new BootfileParam(List.of("root=nfs", "quiet")));
    }

    static String hex(Dhcp6Message m) {
        return HexFormat.of().formatHex(Dhcp6Codec.encode(m));
    }

    @Test
    void advertiseWithAnAddressDnsAndBootOptions() throws Exception {
        List<Dhcp6Option> options = new ArrayList<>(answer());
        options.add(3, new Preference(255));
        Client adv = new Client(MessageType.ADVERTISE, 0xabcdef, Dhcp6Options.of(options));
        String expected = "02" + "abcdef" + CLIENTID + SERVERID + IA_NA + "00070001ff" + DNS + DOMAINS + URL + PARAMS;
        assertEquals(expected, hex(adv));
        assertEquals(adv, Dhcp6Codec.decode(HexFormat.of().parseHex(expected)));
    }

    @Test
    void replyWithRapidCommitAndStatus() throws Exception {
        List<Dhcp6Option> options = new ArrayList<>(answer());
        options.add(new RapidCommit());
        options.add(new StatusCode(Status.SUCCESS, "ok"));
        Client reply = new Client(MessageType.REPLY, 0xabcdef, Dhcp6Options.of(options));
        String expected = "07" + "abcdef" + CLIENTID + SERVERID + IA_NA + DNS + DOMAINS + URL + PARAMS + "000e0000"
                + "000d0004" + "0000" + "6f6b";
        assertEquals(expected, hex(reply));
        assertEquals(reply, Dhcp6Codec.decode(HexFormat.of().parseHex(expected)));
    }

    @Test
    void relayReplWrapsTheReplyAndEchoesTheInterfaceId() throws Exception {
        // What a relay sends: RELAY-FORW with its interface id and the client's SOLICIT.
        Inet6Address link = (Inet6Address) InetAddress.getByName("fd00:7::1");
        Inet6Address peer = (Inet6Address) InetAddress.getByName("fe80::5054:ff:fe12:3456");
        Client solicit = new Client(MessageType.SOLICIT, 0xabcdef, Dhcp6Options.of(new ClientId(CLIENT)));
        Relay forw = new Relay(
                MessageType.RELAY_FORW,
                0,
                link,
                peer,
                Dhcp6Options.of(new RelayInterfaceId(Octets.ofHex("65746830")), new RelayMsg(solicit)));
        Relay received = assertInstanceOf(Relay.class, Dhcp6Codec.decode(Dhcp6Codec.encode(forw)));
        RelayInterfaceId echoed =
                received.options().first(RelayInterfaceId.class).orElseThrow();

        Client reply = new Client(MessageType.REPLY, 0xabcdef, Dhcp6Options.of(answer()));
        Relay repl = new Relay(
                MessageType.RELAY_REPL,
                received.hopCount(),
                received.linkAddress(),
                received.peerAddress(),
                Dhcp6Options.of(echoed, new RelayMsg(reply)));
        String inner = "07" + "abcdef" + CLIENTID + SERVERID + IA_NA + DNS + DOMAINS + URL + PARAMS;
        String expected = "0d" + "00" + "fd000007000000000000000000000001" + "fe80000000000000505400fffe123456"
                + "00120004" + "65746830" // INTERFACE_ID "eth0"
                + "0009" + String.format("%04x", inner.length() / 2) + inner;
        assertEquals(expected, hex(repl));
        assertEquals(repl, Dhcp6Codec.decode(HexFormat.of().parseHex(expected)));
    }

    @Test
    void duidTypesEncodeAsRfc8415AndRfc6355Say() {
        assertEquals(
                "00010001" + "0000002a" + "525400123456",
                Duid.llt(1, 42, MacAddress.parse("52:54:00:12:34:56").toBytes())
                        .raw()
                        .hex());
        assertEquals(
                "0002" + "00000157" + "abcd",
                Duid.en(343, new byte[] {(byte) 0xab, (byte) 0xcd}).raw().hex());
        Duid uuid = Duid.uuid(UUID.fromString("01234567-89ab-cdef-0011-223344556677"));
        assertEquals("0004" + "0123456789abcdef0011223344556677", uuid.raw().hex());
        assertEquals(
                UUID.fromString("01234567-89ab-cdef-0011-223344556677"),
                uuid.uuid().orElseThrow());
        assertEquals(343L, Duid.en(343, new byte[] {1}).enterpriseNumber().orElseThrow());
        assertEquals(java.util.Optional.empty(), uuid.mac());
    }

    @Test
    void valuesTheWireCannotCarryAreRefusedWhenBuilt() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new Preference(256));
        assertThrows(IllegalArgumentException.class, () -> new Dhcp6Option.ElapsedTime(70000));
        assertThrows(IllegalArgumentException.class, () -> new IaNa(-1, 0, 0, Dhcp6Options.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new Client(MessageType.REPLY, 1 << 24, Dhcp6Options.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new Client(MessageType.RELAY_FORW, 1, Dhcp6Options.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new DomainList(List.of("a..b")));
        assertThrows(IllegalArgumentException.class, () -> new DomainList(List.of("x".repeat(64) + ".test")));
        assertThrows(IllegalArgumentException.class, () -> Duid.of(Octets.ofHex("0001")));
        assertThrows(
                IllegalArgumentException.class,
                () -> Dhcp6Options.of(new ClientId(CLIENT), new ClientId(SERVER)),
                "two client ids");
        // A boot-file URL over 64 KiB does not fit the option's 16-bit length.
        Client big =
                new Client(MessageType.REPLY, 1, Dhcp6Options.of(new BootfileUrl("http://x/" + "a".repeat(70000))));
        assertThrows(IllegalArgumentException.class, () -> Dhcp6Codec.encode(big));
    }
}
