package dev.anvil.dhcp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.policy.Decision;
import dev.anvil.dhcp.policy.DhcpResponderTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a DHCP exchange says in the boot timeline: types in and out, what the client is, what it is given. */
class DhcpTimelineTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    final List<String> got = new ArrayList<>();
    final Timeline capture = (node, mac, address, source, event, detail) ->
            got.add(node + " " + mac + " " + address + " " + source + " " + event + " | " + detail);

    @Test
    void anOfferNamesTheClientsArchitectureClassesAddressAndBootFile() {
        DhcpPacket req = DhcpResponderTest.request(
                MAC,
                MessageType.DISCOVER,
                o -> o.put(DhcpOption.CLIENT_ARCH, new byte[] {0, 7})
                        .putText(DhcpOption.VENDOR_CLASS, "PXEClient:Arch:00007:UNDI:003016")
                        .putText(DhcpOption.USER_CLASS, "iPXE"));
        DhcpPacket reply = DhcpPacket.reply(
                req,
                DhcpPacket.ZERO_ADDRESS,
                Ipv4Address.parse("10.10.0.50"),
                Ipv4Address.parse("10.10.0.1"),
                "",
                "snponly.efi",
                DhcpOptions.EMPTY);
        DhcpTimeline.note(
                capture,
                req,
                new Decision(Optional.of(reply), Optional.of(MessageType.OFFER), Optional.empty(), "known node"),
                7,
                0);
        assertEquals(
                List.of("7 52:54:00:12:34:56 10.10.0.50 DHCP discover -> offer | arch=7 "
                        + "vendor=PXEClient:Arch:00007:UNDI:003016 user=iPXE address=10.10.0.50 file=snponly.efi"),
                got);
    }

    @Test
    void noReplySaysWhyAndTheBootServerPortIsNamed() {
        DhcpPacket req = DhcpResponderTest.request(
                MAC, MessageType.REQUEST, o -> o.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.77")));
        DhcpTimeline.note(
                capture,
                req,
                new Decision(Optional.empty(), Optional.empty(), Optional.empty(), "not our server id"),
                7,
                4011);
        assertEquals(
                List.of("7 52:54:00:12:34:56 10.10.0.77 DHCP request -> no reply | reason=not our server id port=4011"),
                got);
    }
}
