package dev.anvil.dhcp.policy;

import dev.anvil.core.lease.Lease;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import java.util.Optional;

/**
 * The policy's answer to one request: a reply to send (or none), a lease change to record first (or none),
 * and a short reason for the logs and counters.
 */
public record Decision(
        Optional<DhcpPacket> reply, Optional<MessageType> replyType, Optional<Lease> lease, String reason) {

    public static Decision drop(String reason) {
        return new Decision(Optional.empty(), Optional.empty(), Optional.empty(), reason);
    }

    public static Decision record(Lease lease, String reason) {
        return new Decision(Optional.empty(), Optional.empty(), Optional.of(lease), reason);
    }

    public static Decision reply(DhcpPacket p, MessageType type, Optional<Lease> lease, String reason) {
        return new Decision(Optional.of(p), Optional.of(type), lease, reason);
    }
}
