package dev.anvil.dhcp6.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp6.codec.Dhcp6Message.Client;
import dev.anvil.dhcp6.codec.Dhcp6Message.Relay;
import dev.anvil.dhcp6.codec.Dhcp6Option.BootfileUrl;
import dev.anvil.dhcp6.codec.Dhcp6Option.ClientArchType;
import dev.anvil.dhcp6.codec.Dhcp6Option.ClientLinkLayerAddress;
import dev.anvil.dhcp6.codec.Dhcp6Option.DnsServers;
import dev.anvil.dhcp6.codec.Dhcp6Option.DomainList;
import dev.anvil.dhcp6.codec.Dhcp6Option.ElapsedTime;
import dev.anvil.dhcp6.codec.Dhcp6Option.IaAddress;
import dev.anvil.dhcp6.codec.Dhcp6Option.IaNa;
import dev.anvil.dhcp6.codec.Dhcp6Option.InformationRefreshTime;
import dev.anvil.dhcp6.codec.Dhcp6Option.NetworkInterfaceId;
import dev.anvil.dhcp6.codec.Dhcp6Option.Preference;
import dev.anvil.dhcp6.codec.Dhcp6Option.StatusCode;
import dev.anvil.dhcp6.codec.Dhcp6Option.UserClass;
import dev.anvil.dhcp6.codec.Dhcp6Option.VendorClass;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real messages from ISC dhclient 4.4.3, dnsmasq 2.90 (server and relay), OVMF and iPXE: decoded, checked,
 * re-encoded.
 *
 * <p>Size: over 300 lines because it checks each of the 28 captures' fields, one short test per exchange.
 */
class Dhcp6CaptureTest {
    static final MacAddress CLIENT_MAC = MacAddress.parse("52:54:00:12:34:56");
    /** dnsmasq's server DUID: DUID-LLT of its interface's MAC. */
    static final String DNSMASQ_DUID = "00:01:00:01:32:a7:89:4f:02:00:00:00:06:01";

    static Stream<String> captures() {
        return Captures.names().stream();
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everyCaptureReEncodesByteForByte(String name) throws Exception {
        byte[] wire = Captures.bytes(name);
        Dhcp6Message m = Dhcp6Codec.decode(wire);
        assertArrayEquals(wire, Dhcp6Codec.encode(m), name);
        assertEquals(m, Dhcp6Codec.decode(Dhcp6Codec.encode(m)), name);
        assertFalse(hasUnknown(m.options()), name + " has an option this codec does not read: " + m);
    }

    static boolean hasUnknown(Dhcp6Options options) {
        for (Dhcp6Option o : options.all()) {
            boolean unknown = o instanceof Dhcp6Option.Unknown
                    || (o instanceof IaNa ia && hasUnknown(ia.options()))
                    || (o instanceof IaAddress a && hasUnknown(a.options()))
                    || (o instanceof Dhcp6Option.RelayMsg r
                            && hasUnknown(r.message().options()));
            if (unknown) {
                return true;
            }
        }
        return false;
    }

    static Client client(String name) throws Exception {
        return assertInstanceOf(Client.class, Captures.decode(name));
    }

    static IaNa onlyIaNa(Dhcp6Message m) {
        assertEquals(1, m.options().iaNa().size());
        return m.options().iaNa().get(0);
    }

    @Test
    void dhclientSolicitWithItsDefaultDuidLlt() throws Exception {
        Client m = client("dhclient-4.4.3-solicit-duid-llt.hex");
        assertEquals(MessageType.SOLICIT, m.type());
        assertEquals(0xbc4c56, m.transactionId());
        Duid duid = m.options().clientId().orElseThrow();
        assertEquals(Duid.LLT, duid.type());
        assertEquals(1, duid.hardwareType().orElseThrow());
        assertEquals(0x32a78947L, duid.time().orElseThrow());
        assertEquals(CLIENT_MAC, duid.mac().orElseThrow());
        assertEquals(List.of(23, 24, 39, 31), m.options().requested());
        assertEquals(0, m.options().first(ElapsedTime.class).orElseThrow().hundredths());
        IaNa ia = onlyIaNa(m);
        assertEquals(0x00123456L, ia.iaid(), "dhclient's IAID: the last four bytes of the MAC");
        assertEquals(3600, ia.t1());
        assertEquals(5400, ia.t2());
        assertTrue(ia.options().all().isEmpty());
        assertEquals(
                List.of(Dhcp6Option.CLIENTID, Dhcp6Option.ORO, Dhcp6Option.ELAPSED_TIME, Dhcp6Option.IA_NA),
                m.options().all().stream().map(Dhcp6Option::code).toList());
        assertTrue(m.options().serverId().isEmpty());
    }

    @Test
    void dhclientSolicitWithDuidLl() throws Exception {
        Client m = client("dhclient-4.4.3-solicit-duid-ll.hex");
        Duid duid = m.options().clientId().orElseThrow();
        assertEquals(Duid.LL, duid.type());
        assertEquals("00:03:00:01:52:54:00:12:34:56", duid.toString());
        assertEquals(CLIENT_MAC, duid.mac().orElseThrow());
        assertTrue(duid.time().isEmpty());
        assertEquals(Duid.ll(1, CLIENT_MAC.toBytes()), duid);
    }

    @Test
    void dnsmasqAdvertise() throws Exception {
        Client m = client("dnsmasq-2.90-advertise.hex");
        assertEquals(MessageType.ADVERTISE, m.type());
        assertEquals(0x60c28d, m.transactionId(), "the SOLICIT's transaction id");
        assertEquals(DNSMASQ_DUID, m.options().serverId().orElseThrow().toString());
        assertEquals(
                MacAddress.parse("02:00:00:00:06:01"),
                m.options().serverId().orElseThrow().mac().orElseThrow());
        IaNa ia = onlyIaNa(m);
        assertEquals(60, ia.t1());
        assertEquals(105, ia.t2());
        IaAddress a = ia.addresses().get(0);
        assertEquals(InetAddress.getByName("fd00:6::190"), a.address());
        assertEquals(120, a.preferredLifetime());
        assertEquals(120, a.validLifetime());
        // dnsmasq puts the status code beside the IA_NA, not in it.
        assertTrue(ia.status().isEmpty());
        StatusCode status = m.options().first(StatusCode.class).orElseThrow();
        assertEquals(Status.SUCCESS, status.known().orElseThrow());
        assertEquals("success", status.message());
        assertEquals(0, m.options().first(Preference.class).orElseThrow().value());
        assertEquals(
                List.of("cluster.test"),
                m.options().first(DomainList.class).orElseThrow().names());
        assertEquals(
                List.of(InetAddress.getByName("fd00:6::1")),
                m.options().first(DnsServers.class).orElseThrow().servers());
    }

    @Test
    void dhclientRequestNamesTheServerAndTheAdvertisedAddress() throws Exception {
        Client m = client("dhclient-4.4.3-request.hex");
        assertEquals(MessageType.REQUEST, m.type());
        assertEquals(DNSMASQ_DUID, m.options().serverId().orElseThrow().toString());
        IaAddress a = onlyIaNa(m).addresses().get(0);
        assertEquals(InetAddress.getByName("fd00:6::190"), a.address());
        assertEquals(7200, a.preferredLifetime(), "what dhclient asks for");
        assertEquals(7500, a.validLifetime());
        Client reply = client("dnsmasq-2.90-reply-to-request.hex");
        assertEquals(MessageType.REPLY, reply.type());
        assertEquals(m.transactionId(), reply.transactionId());
        assertFalse(reply.options().has(Dhcp6Option.PREFERENCE));
    }

    @Test
    void renewAndItsReply() throws Exception {
        Client renew = client("dhclient-4.4.3-renew.hex");
        assertEquals(MessageType.RENEW, renew.type());
        assertEquals(DNSMASQ_DUID, renew.options().serverId().orElseThrow().toString());
        IaNa ia = onlyIaNa(client("dnsmasq-2.90-reply-to-renew.hex"));
        assertEquals(56, ia.t1(), "dnsmasq counts down the lease it granted a minute earlier");
        assertEquals(101, ia.t2());
    }

    @Test
    void confirmCarriesZeroLifetimesAndGetsAStatus() throws Exception {
        Client confirm = client("dhclient-4.4.3-confirm.hex");
        assertEquals(MessageType.CONFIRM, confirm.type());
        assertTrue(confirm.options().serverId().isEmpty());
        IaNa ia = onlyIaNa(confirm);
        assertEquals(0, ia.t1());
        assertEquals(0, ia.addresses().get(0).validLifetime());
        StatusCode s = client("dnsmasq-2.90-reply-to-confirm.hex")
                .options()
                .first(StatusCode.class)
                .orElseThrow();
        assertEquals(0, s.status());
        assertEquals("all addresses still on link", s.message());
    }

    @Test
    void releaseAndItsReply() throws Exception {
        assertEquals(MessageType.RELEASE, client("dhclient-4.4.3-release.hex").type());
        assertEquals(
                "release received",
                client("dnsmasq-2.90-reply-to-release.hex")
                        .options()
                        .first(StatusCode.class)
                        .orElseThrow()
                        .message());
    }

    @Test
    void informationRequestAndItsReply() throws Exception {
        Client m = client("dhclient-4.4.3-information-request.hex");
        assertEquals(MessageType.INFORMATION_REQUEST, m.type());
        assertTrue(m.options().iaNa().isEmpty());
        Client reply = client("dnsmasq-2.90-reply-to-information-request.hex");
        assertEquals(
                600,
                reply.options()
                        .first(InformationRefreshTime.class)
                        .orElseThrow()
                        .seconds());
        assertTrue(reply.options().iaNa().isEmpty());
    }

    @Test
    void dnsmasqRelayForwardsTheSolicitWithTheClientsMac() throws Exception {
        Relay fw = assertInstanceOf(Relay.class, Captures.decode("dnsmasq-2.90-relay-forw-solicit.hex"));
        assertEquals(MessageType.RELAY_FORW, fw.type());
        assertEquals(0, fw.hopCount());
        assertEquals(InetAddress.getByName("fd00:7::1"), fw.linkAddress());
        assertEquals(InetAddress.getByName("fe80::5054:ff:fe12:3456"), fw.peerAddress());
        assertEquals(
                CLIENT_MAC,
                fw.options()
                        .first(ClientLinkLayerAddress.class)
                        .orElseThrow()
                        .mac()
                        .orElseThrow());
        Client inner = fw.innermost().orElseThrow();
        assertEquals(MessageType.SOLICIT, inner.type());
        assertEquals(CLIENT_MAC, inner.options().clientId().orElseThrow().mac().orElseThrow());
        assertFalse(fw.options().has(Dhcp6Option.INTERFACE_ID), "dnsmasq's relay sends no interface id");
    }

    @Test
    void dnsmasqServerAnswersTheRelayWithRelayRepl() throws Exception {
        Relay repl = assertInstanceOf(Relay.class, Captures.decode("dnsmasq-2.90-relay-repl-advertise.hex"));
        assertEquals(MessageType.RELAY_REPL, repl.type());
        assertEquals(InetAddress.getByName("fd00:7::1"), repl.linkAddress());
        assertEquals(InetAddress.getByName("fe80::5054:ff:fe12:3456"), repl.peerAddress());
        Client adv = repl.innermost().orElseThrow();
        assertEquals(MessageType.ADVERTISE, adv.type());
        assertEquals(
                InetAddress.getByName("fd00:7::190"),
                onlyIaNa(adv).addresses().get(0).address(),
                "an address on the relay's link");
        Relay reply = assertInstanceOf(Relay.class, Captures.decode("dnsmasq-2.90-relay-repl-reply.hex"));
        assertEquals(MessageType.REPLY, reply.innermost().orElseThrow().type());
    }

    @Test
    void ovmfPxeSolicitAsksForTheBootFileWithArchAndVendorClass() throws Exception {
        Client m = client("ovmf-2022.11-pxe-solicit.hex");
        assertEquals(MessageType.SOLICIT, m.type());
        Duid duid = m.options().clientId().orElseThrow();
        assertEquals(Duid.LLT, duid.type());
        assertEquals(MacAddress.parse("52:54:00:12:34:57"), duid.mac().orElseThrow());
        assertEquals(List.of(59, 60, 23, 16), m.options().requested());
        assertEquals(
                List.of(7),
                m.options().first(ClientArchType.class).orElseThrow().types(),
                "x64 UEFI");
        assertEquals(
                new NetworkInterfaceId(1, 3, 0),
                m.options().first(NetworkInterfaceId.class).orElseThrow(),
                "UNDI 3.0");
        VendorClass vc = m.options().first(VendorClass.class).orElseThrow();
        assertEquals(343, vc.enterpriseNumber(), "Intel");
        assertEquals(List.of(ascii("PXEClient:Arch:00007:UNDI:003000")), vc.classes());
        IaNa ia = onlyIaNa(m);
        assertEquals(0xffffffffL, ia.t1(), "OVMF leaves T1 and T2 to the server with all ones");
        assertEquals(0xffffffffL, ia.t2());
    }

    @Test
    void ovmfHttpBootSolicitSaysHttpClientArch16() throws Exception {
        Client m = client("ovmf-2022.11-http-solicit.hex");
        assertEquals(
                List.of(16),
                m.options().first(ClientArchType.class).orElseThrow().types());
        assertEquals(
                List.of(ascii("HTTPClient:Arch:00016:UNDI:003000")),
                m.options().first(VendorClass.class).orElseThrow().classes());
    }

    @Test
    void ovmfIp6StackSolicitsOnlyDnsServers() throws Exception {
        Client m = client("ovmf-2022.11-ip6-solicit.hex");
        assertEquals(List.of(23), m.options().requested());
        assertFalse(m.options().has(Dhcp6Option.CLIENT_ARCH_TYPE), "the IP6 driver's SOLICIT, not PXE's");
    }

    @Test
    void dnsmasqHandsOvmfTheBootFileUrl() throws Exception {
        Client request = client("ovmf-2022.11-pxe-request.hex");
        assertEquals(MessageType.REQUEST, request.type());
        Client reply = client("dnsmasq-2.90-reply-to-ovmf-pxe.hex");
        assertEquals(request.transactionId(), reply.transactionId());
        assertEquals(
                "tftp://[fd00:6::1]/snponly.efi",
                reply.options().first(BootfileUrl.class).orElseThrow().url());
        assertEquals(MessageType.RELEASE, client("ovmf-2022.11-release.hex").type());
    }

    @Test
    void ipxeSolicitCarriesAZeroUuidDuidAndItsUserClass() throws Exception {
        Client m = client("ipxe-20190125-solicit.hex");
        Duid duid = m.options().clientId().orElseThrow();
        assertEquals(Duid.UUID_TYPE, duid.type());
        assertEquals(new UUID(0, 0), duid.uuid().orElseThrow(), "QEMU without -uuid: the SMBIOS UUID is zero");
        assertTrue(duid.mac().isEmpty());
        assertEquals(List.of(23, 24, 59, 60), m.options().requested());
        assertEquals(
                List.of(0),
                m.options().first(ClientArchType.class).orElseThrow().types(),
                "BIOS");
        assertEquals(
                new NetworkInterfaceId(1, 2, 1),
                m.options().first(NetworkInterfaceId.class).orElseThrow());
        assertEquals(
                List.of(ascii("iPXE")),
                m.options().first(UserClass.class).orElseThrow().classes(),
                "RFC 8415 form: a length-prefixed item (DHCPv4's option 77 from iPXE is bare)");
        assertEquals(
                List.of(ascii("PXEClient:Arch:00000:UNDI:002001")),
                m.options().first(VendorClass.class).orElseThrow().classes());
        assertEquals(MessageType.REQUEST, client("ipxe-20190125-request.hex").type());
        assertEquals(
                "tftp://[fd00:6::1]/snponly.efi",
                client("dnsmasq-2.90-reply-to-ipxe.hex")
                        .options()
                        .first(BootfileUrl.class)
                        .orElseThrow()
                        .url());
    }

    static Octets ascii(String s) {
        return Octets.of(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
