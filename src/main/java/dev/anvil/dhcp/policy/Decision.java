package dev.anvil.dhcp.policy;

import dev.anvil.core.lease.Lease;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import java.util.Optional;

/**
 * The policy's answer to one request: a reply to send (or none), a lease change to record first (or none),
 * and a short reason for the logs and counters.
 *
 * @param missingLoader why a network-boot client got no boot answer although it asked for one (an architecture
 *     Anvil has no loader for: {@link dev.anvil.core.boot.BootPlan#missingLoader}); the server logs it, rate-limited,
 *     and the node's timeline records it
 */
public record Decision(
        Optional<DhcpPacket> reply,
        Optional<MessageType> replyType,
        Optional<Lease> lease,
        String reason,
        Optional<String> missingLoader) {

    public Decision(Optional<DhcpPacket> reply, Optional<MessageType> replyType, Optional<Lease> lease, String reason) {
        this(reply, replyType, lease, reason, Optional.empty());
    }

    public static Decision drop(String reason) {
        return new Decision(Optional.empty(), Optional.empty(), Optional.empty(), reason);
    }

    public static Decision record(Lease lease, String reason) {
        return new Decision(Optional.empty(), Optional.empty(), Optional.of(lease), reason);
    }

    public static Decision reply(DhcpPacket p, MessageType type, Optional<Lease> lease, String reason) {
        return new Decision(Optional.of(p), Optional.of(type), lease, reason);
    }

    /** This decision, noting why the client got no boot answer. */
    public Decision withMissingLoader(Optional<String> why) {
        return new Decision(reply, replyType, lease, reason, why);
    }
}
