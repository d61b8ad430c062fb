package dev.anvil.dhcp.server;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.core.timeline.TimelineEvent.Source;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.policy.Decision;

/** A known node's DHCP exchange as a boot timeline event (doc/api.md#boot-timeline). */
final class DhcpTimeline {
    private DhcpTimeline() {}

    /**
     * The exchange for the node's boot timeline: what came in and what goes out, with what the client says it is
     * (option 93 architecture, 60 vendor class, 77 user class) and what it is given (address, boot file).
     */
    static void note(Timeline timeline, DhcpPacket req, Decision d, long nodeId, int bootServerPort) {
        String in = req.options()
                .messageType()
                .map(t -> t.name().toLowerCase(java.util.Locale.ROOT))
                .orElse("bootp");
        String out = d.replyType()
                .map(t -> t.name().toLowerCase(java.util.Locale.ROOT))
                .orElse("no reply");
        StringBuilder detail = new StringBuilder();
        req.options()
                .clientArch()
                .ifPresent(a -> detail.append("arch=").append(a).append(' '));
        req.options()
                .vendorClass()
                .ifPresent(v -> detail.append("vendor=").append(v).append(' '));
        req.options()
                .text(DhcpOption.USER_CLASS)
                .ifPresent(u -> detail.append("user=").append(u).append(' '));
        Ipv4Address address = req.ciaddr().equals(DhcpPacket.ZERO_ADDRESS)
                ? req.options().requestedIp().orElse(null)
                : req.ciaddr();
        if (d.reply().isPresent()) {
            DhcpPacket r = d.reply().get();
            if (!r.yiaddr().equals(DhcpPacket.ZERO_ADDRESS)) {
                address = r.yiaddr();
                detail.append("address=").append(r.yiaddr()).append(' ');
            }
            if (!r.file().isEmpty()) {
                detail.append("file=").append(r.file()).append(' ');
            }
        }
        if (d.reply().isEmpty() && !d.reason().isEmpty()) {
            detail.append("reason=").append(d.reason()).append(' ');
        }
        d.missingLoader()
                .ifPresent(why -> detail.append("noLoader=\"").append(why).append("\" "));
        if (bootServerPort > 0) {
            detail.append("port=").append(bootServerPort).append(' ');
        }
        timeline.record(
                nodeId,
                req.mac().orElse(null),
                address,
                Source.DHCP,
                in + " -> " + out,
                detail.toString().strip());
    }
}
