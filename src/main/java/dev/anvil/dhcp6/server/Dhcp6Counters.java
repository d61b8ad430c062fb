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
