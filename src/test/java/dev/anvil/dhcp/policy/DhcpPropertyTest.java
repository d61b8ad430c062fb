package dev.anvil.dhcp.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MalformedPacketException;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Structure-aware properties beside {@link DhcpFuzzTest}: well-formed requests (as a client builds them) with
 * fields and options drawn at random, including the ones the responder reads (message type, requested
 * address, server id, option 57, option 82, client UUID, PXE vendor class and architecture): they
 * round-trip through the codec, and every decision on them encodes within the client's limit or is the
 * counted drop (doc/fuzzing.md). Tries: jqwik's default, {@code -Djqwik.tries.default=N} for more.
 */
class DhcpPropertyTest {
    final DhcpFuzzTest target = new DhcpFuzzTest();

    @Property
    void wellFormedRequestsRoundTripAndGetAnAnswerOrADrop(@ForAll("requests") DhcpPacket req)
            throws MalformedPacketException {
        byte[] wire = DhcpCodec.encode(req, 65535, DhcpCodec.MIN_BOOTP_SIZE);
        assertEquals(req, DhcpCodec.decode(wire));
        target.decodeRespondEncode(wire);
    }

    @Provide
    Arbitrary<DhcpPacket> requests() {
        Arbitrary<Ipv4Address> addr = Arbitraries.oneOf(
                Arbitraries.of(
                                "0.0.0.0",
                                "10.10.0.1",
                                "10.10.0.11",
                                "10.10.0.100",
                                "10.10.0.102",
                                "10.10.0.200",
                                "10.30.0.5",
                                "192.168.1.1")
                        .map(Ipv4Address::parse),
                Arbitraries.integers().map(Ipv4Address::new));
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<DhcpOptions> options = Combinators.combine(
                        Arbitraries.integers().between(0, 18),
                        addr,
                        addr,
                        Arbitraries.integers().between(0, 70000),
                        bytes,
                        bytes,
                        Arbitraries.of(
                                "",
                                "PXEClient:Arch:00007:UNDI:003016",
                                "PXEClient:Arch:00000:UNDI:002001",
                                "HTTPClient:Arch:00016:UNDI:003001",
                                "udhcp 1.35.0"),
                        Arbitraries.<List<Integer>>of(
                                List.of(), List.of(1, 3, 6, 66, 67, 43, 60, 175), List.of(55, 82, 97, 52, 0, 255)))
                .as((type, wish, sid, max, agent, uuid, vendor, prl) -> {
                    DhcpOptions.Builder b = DhcpOptions.builder();
                    if (type > 0) {
                        b.putByte(DhcpOption.MESSAGE_TYPE, type);
                    }
                    if (!wish.equals(DhcpPacket.ZERO_ADDRESS)) {
                        b.put(DhcpOption.REQUESTED_IP, wish);
                    }
                    if (sid.bits() % 3 == 0) {
                        b.put(DhcpOption.SERVER_ID, sid);
                    }
                    if (max < 65536) {
                        int m = max;
                        b.put(DhcpOption.MAX_MESSAGE_SIZE, new byte[] {(byte) (m >> 8), (byte) m});
                    }
                    if (!vendor.isEmpty()) {
                        int arch = vendor.contains("00007") ? 7 : vendor.contains("00016") ? 16 : 0;
                        b.putText(DhcpOption.VENDOR_CLASS, vendor)
                                .put(DhcpOption.CLIENT_ARCH, new byte[] {0, (byte) arch});
                    }
                    byte[] p = new byte[prl.size()];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = prl.get(i).byteValue();
                    }
                    b.put(DhcpOption.PARAMETER_REQUEST_LIST, p);
                    if (agent.length > 0) {
                        b.put(DhcpOption.RELAY_AGENT_INFO, agent);
                    }
                    if (uuid.length > 0) {
                        b.put(DhcpOption.CLIENT_UUID, uuid);
                    }
                    return b.build();
                });
        // op, htype and hlen: mostly an Ethernet BOOTREQUEST; sometimes a reply, another hardware type or length.
        Arbitrary<int[]> kind = Arbitraries.of(
                new int[] {1, 1, 6},
                new int[] {1, 1, 6},
                new int[] {1, 1, 6},
                new int[] {2, 1, 6},
                new int[] {1, 6, 6},
                new int[] {1, 1, 0},
                new int[] {1, 1, 16});
        return Combinators.combine(
                        kind,
                        Arbitraries.integers(),
                        Arbitraries.of(0, 0x8000),
                        addr,
                        addr,
                        Arbitraries.longs().between(0, 0xffffffffffffL),
                        options)
                .as((k, xid, flags, ciaddr, giaddr, mac, opts) -> {
                    byte[] chaddr = new byte[16];
                    for (int i = 0; i < 6; i++) {
                        chaddr[i] = (byte) (mac >>> (40 - 8 * i));
                    }
                    return new DhcpPacket(
                            k[0],
                            k[1],
                            k[2],
                            0,
                            xid,
                            0,
                            flags,
                            ciaddr,
                            DhcpPacket.ZERO_ADDRESS,
                            DhcpPacket.ZERO_ADDRESS,
                            giaddr,
                            chaddr,
                            new byte[64],
                            Arrays.copyOf(new byte[0], 128),
                            opts);
                });
    }
}
