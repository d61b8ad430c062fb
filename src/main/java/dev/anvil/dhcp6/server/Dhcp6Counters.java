package dev.anvil.dhcp6.server;

import dev.anvil.dhcp6.codec.MessageType;
import dev.anvil.dhcp6.policy.Dhcp6Decision;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the DHCPv6 listener saw and did, for the status endpoint. */
public final class Dhcp6Counters {
    final LongAdder received = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder relayed = new LongAdder();
    final LongAdder noLink = new LongAdder();
    final LongAdder errors = new LongAdder();
    private final Map<Dhcp6Decision.Reason, LongAdder> drops = new EnumMap<>(Dhcp6Decision.Reason.class);
    private final Map<MessageType, LongAdder> replies = new EnumMap<>(MessageType.class);

    Dhcp6Counters() {
        for (Dhcp6Decision.Reason r : Dhcp6Decision.Reason.values()) {
            drops.put(r, new LongAdder());
        }
        for (MessageType t : MessageType.values()) {
            replies.put(t, new LongAdder());
        }
    }

    void drop(Dhcp6Decision.Reason r) {
        drops.get(r).increment();
    }

    void replied(MessageType t) {
        replies.get(t).increment();
    }

    /** The counters as meters ({@code /metrics}, doc/monitoring.md). */
    void bindTo(io.micrometer.core.instrument.MeterRegistry r) {
        dev.anvil.lifecycle.Meters.count(r, "anvil.dhcp6.messages.received", "DHCPv6 messages received", received);
        dev.anvil.lifecycle.Meters.count(
                r, "anvil.dhcp6.messages.malformed", "DHCPv6 messages that did not decode (dropped)", malformed);
        dev.anvil.lifecycle.Meters.count(
                r, "anvil.dhcp6.messages.relayed", "DHCPv6 messages that came through relays", relayed);
        dev.anvil.lifecycle.Meters.count(
                r, "anvil.dhcp6.messages.no.link", "DHCPv6 messages for no served /64 (dropped)", noLink);
        dev.anvil.lifecycle.Meters.count(r, "anvil.dhcp6.errors", "DHCPv6 handler errors", errors);
        replies.forEach((t, a) -> dev.anvil.lifecycle.Meters.count(
                r,
                "anvil.dhcp6.replies",
                "DHCPv6 replies sent, by message type",
                a,
                "type",
                t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
        drops.forEach((reason, a) -> dev.anvil.lifecycle.Meters.count(
                r,
                "anvil.dhcp6.dropped",
                "DHCPv6 messages dropped by RFC 8415's rules",
                a,
                "reason",
                reason.wireName()));
    }

    /** The counters by name: received, malformed, relayed, noLink, errors, sent.(type), dropped.(reason). */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("received", received.sum());
        m.put("malformed", malformed.sum());
        m.put("relayed", relayed.sum());
        m.put("noLink", noLink.sum());
        m.put("errors", errors.sum());
        replies.forEach((t, a) -> {
            if (a.sum() > 0) {
                m.put("sent." + t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), a.sum());
            }
        });
        drops.forEach((r, a) -> {
            if (a.sum() > 0) {
                m.put("dropped." + r.wireName(), a.sum());
            }
        });
        return m;
    }
}
