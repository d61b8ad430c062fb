package dev.anvil.dhcp.server;

import static dev.anvil.lifecycle.Meters.count;
import static dev.anvil.lifecycle.Meters.timer;

import dev.anvil.dhcp.codec.MessageType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Packet counters for the status endpoint and {@code /metrics}; the reply-time histograms once {@link #bindTo}
 * has given them a registry (until then the packet thread records nothing).
 */
final class DhcpCounters {
    /** The reply-time histogram's buckets: an offer takes microseconds, an ACK waits for the journal's sync. */
    static final Duration[] REPLY_BUCKETS = {
        Duration.ofNanos(100_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(500),
        Duration.ofSeconds(1)
    };

    final LongAdder received = new LongAdder();
    final LongAdder malformed = new LongAdder();
    /** Dropped: no network the request belongs to. */
    final LongAdder noNetwork = new LongAdder();
    /** Dropped: no server identifier (address of ours) on the request's network. */
    final LongAdder noServerId = new LongAdder();
    /** Dropped: the reply with the options the request had echoed does not fit the client's limit. */
    final LongAdder tooLarge = new LongAdder();
    /** Dropped by the policy: not for us, nothing to offer, a REQUEST for another server... */
    final LongAdder ignored = new LongAdder();

    final LongAdder errors = new LongAdder();
    final LongAdder offers = new LongAdder();
    final LongAdder acks = new LongAdder();
    final LongAdder naks = new LongAdder();
    final LongAdder declines = new LongAdder();
    final LongAdder releases = new LongAdder();
    final LongAdder probes = new LongAdder();
    final LongAdder conflicts = new LongAdder();
    final LongAdder pingErrors = new LongAdder();
    /** Requests by option 53, index {@link MessageType#code()} (0: none or unknown). */
    final LongAdder[] byType = new LongAdder[MessageType.values().length + 1];

    /** Reply time by reply type (offer, ack, nak), index {@link MessageType#ordinal()}; null until bound. */
    private volatile Timer[] replyTimes;

    DhcpCounters() {
        for (int i = 0; i < byType.length; i++) {
            byType[i] = new LongAdder();
        }
    }

    void request(int typeCode) {
        byType[typeCode >= 1 && typeCode < byType.length ? typeCode : 0].increment();
    }

    /** Every drop but the malformed ones (they have their own counter). */
    long dropped() {
        return noNetwork.sum() + noServerId.sum() + tooLarge.sum() + ignored.sum();
    }

    /** Records one reply's time from its request's read to its send, if a registry is bound. */
    void replied(MessageType type, long nanos) {
        Timer[] t = replyTimes;
        if (t != null && t[type.ordinal()] != null) {
            t[type.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("received", received.sum());
        m.put("malformed", malformed.sum());
        m.put("dropped", dropped());
        m.put("errors", errors.sum());
        m.put("offers", offers.sum());
        m.put("acks", acks.sum());
        m.put("naks", naks.sum());
        m.put("declines", declines.sum());
        m.put("releases", releases.sum());
        m.put("pingProbes", probes.sum());
        m.put("pingConflicts", conflicts.sum());
        m.put("pingErrors", pingErrors.sum());
        return m;
    }

    /** The counters as {@code anvil_dhcp_*} meters (read at scrape time: the packet path is unchanged). */
    void bindTo(MeterRegistry r) {
        count(r, "anvil.dhcp.packets.received", "DHCP packets received", received);
        String requests = "DHCP requests received, by message type (option 53; none: missing or unknown)";
        for (MessageType t : MessageType.values()) {
            count(
                    r,
                    "anvil.dhcp.requests",
                    requests,
                    byType[t.code()],
                    "type",
                    t.name().toLowerCase(Locale.ROOT));
        }
        count(r, "anvil.dhcp.requests", requests, byType[0], "type", "none");
        String replies = "DHCP replies sent, by type";
        count(r, "anvil.dhcp.replies", replies, offers, "type", "offer");
        count(r, "anvil.dhcp.replies", replies, acks, "type", "ack");
        count(r, "anvil.dhcp.replies", replies, naks, "type", "nak");
        String dropped = "DHCP packets dropped without a reply, by reason";
        count(r, "anvil.dhcp.dropped", dropped, malformed, "reason", "malformed");
        count(r, "anvil.dhcp.dropped", dropped, noNetwork, "reason", "no_network");
        count(r, "anvil.dhcp.dropped", dropped, noServerId, "reason", "no_server_id");
        count(r, "anvil.dhcp.dropped", dropped, tooLarge, "reason", "too_large");
        count(r, "anvil.dhcp.dropped", dropped, ignored, "reason", "ignored");
        count(r, "anvil.dhcp.errors", "DHCP packets that failed in the server, or replies not sent", errors);
        count(r, "anvil.dhcp.declines", "DHCPDECLINEs recorded (address quarantined)", declines);
        count(r, "anvil.dhcp.releases", "DHCPRELEASEs recorded", releases);
        count(r, "anvil.dhcp.ping.probes", "addresses pinged before they were offered", probes);
        count(r, "anvil.dhcp.ping.conflicts", "pinged addresses that answered (quarantined)", conflicts);
        count(r, "anvil.dhcp.ping.errors", "pings that could not be sent", pingErrors);
        Timer[] times = new Timer[MessageType.values().length];
        for (MessageType t : new MessageType[] {MessageType.OFFER, MessageType.ACK, MessageType.NAK}) {
            times[t.ordinal()] = timer(
                    r,
                    "anvil.dhcp.reply",
                    "time from reading a request to sending its reply (an ACK waits for the lease" + " journal's sync)",
                    REPLY_BUCKETS,
                    "type",
                    t.name().toLowerCase(Locale.ROOT));
        }
        replyTimes = times;
    }
}
