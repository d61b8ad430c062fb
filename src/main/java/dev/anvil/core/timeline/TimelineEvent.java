package dev.anvil.core.timeline;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One event in a node's boot timeline: when, which part of Anvil saw it, what it was (a short name such as
 * {@code discover -> offer} or {@code read}), the MAC and IPv4 address involved when known, and a detail line.
 * The name and the detail are cut to {@link #MAX_EVENT} and {@link #MAX_DETAIL} characters (a client chooses
 * much of what they hold: a file name, a vendor class), so one event is bounded in size.
 */
public record TimelineEvent(
        Instant at,
        Source source,
        String event,
        Optional<MacAddress> mac,
        Optional<Ipv4Address> address,
        String detail) {
    public static final int MAX_EVENT = 64;
    public static final int MAX_DETAIL = 512;

    /** Which part of Anvil saw the event. */
    public enum Source {
        DHCP,
        DHCP6,
        TFTP,
        HTTP,
        DISCOVERY,
        LIFECYCLE,
        TASK,
        /** A node's BMC: its power state or error changed (doc/power.md). */
        POWER;

        /** The lower-case name used on the wire ({@code dhcp}, {@code tftp}, ...). */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TimelineEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(address, "address");
        event = clip(Objects.requireNonNull(event, "event"), MAX_EVENT);
        detail = clip(detail == null ? "" : detail, MAX_DETAIL);
        if (event.isEmpty()) {
            throw new IllegalArgumentException("a timeline event needs a name");
        }
    }

    /**
     * {@code s} cut to {@code max} characters (the last three then {@code ...}), with control characters (a
     * client's bytes may hold any) replaced by {@code ?}.
     */
    static String clip(String s, int max) {
        String cut = s.length() <= max ? s : s.substring(0, max - 3) + "...";
        StringBuilder b = null;
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) {
                    b = new StringBuilder(cut);
                }
                b.setCharAt(i, '?');
            }
        }
        return b == null ? cut : b.toString();
    }
}
