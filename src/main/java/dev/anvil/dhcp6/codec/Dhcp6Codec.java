package dev.anvil.dhcp6.codec;

import java.net.Inet6Address;

/**
 * Pure decode and encode of DHCPv6 messages (RFC 8415 §8, §9) and their options. Decoding throws nothing but
 * {@link MalformedPacketException}; its work and memory are linear in the input, and nesting is bounded: at
 * most {@link #MAX_RELAY_LAYERS} relay messages around a client's and {@link OptionReader#MAX_OPTION_NESTING}
 * levels of options within options. A decoded message encodes to the bytes it came from.
 */
public final class Dhcp6Codec {
    /** A client/server message's header: type and 24-bit transaction id. */
    public static final int CLIENT_HEADER = 4;
    /** A relay message's header: type, hop count, link address, peer address. */
    public static final int RELAY_HEADER = 34;
    /** The largest UDP payload. */
    public static final int MAX_SIZE = 65535;
    /**
     * RFC 8415 §7.6 sets HOP_COUNT_LIMIT to 8 (RFC 3315 had 32) and §19.1.1 has a relay discard a RELAY-FORW
     * whose hop count has reached it, so conformant relays put at most 9 RELAY-FORW layers (hop counts 0 to 8)
     * around a client's message. Deeper nesting comes from a loop or an attacker and is malformed; the cap also
     * bounds the decoder's recursion.
     */
    public static final int MAX_RELAY_LAYERS = 9;

    private Dhcp6Codec() {}

    public static Dhcp6Message decode(byte[] b) throws MalformedPacketException {
        return decode(b, 0, b.length);
    }

    public static Dhcp6Message decode(byte[] b, int off, int len) throws MalformedPacketException {
        if (len > MAX_SIZE) {
            throw new MalformedPacketException("message of " + len + " bytes is over " + MAX_SIZE);
        }
        return message(new Reader(b, off, off + len, "message"), 0);
    }

    /** A message filling {@code r}, inside {@code relayDepth} relay messages. */
    static Dhcp6Message message(Reader r, int relayDepth) throws MalformedPacketException {
        int code = r.u8("message type");
        MessageType type = MessageType.of(code)
                .orElseThrow(() -> new MalformedPacketException("message type " + code + " is not one of 1..13"));
        if (!type.isRelay()) {
            if (r.remaining() < CLIENT_HEADER - 1) {
                throw new MalformedPacketException(type + " of " + (r.remaining() + 1) + " bytes is shorter than its "
                        + CLIENT_HEADER + "-byte header");
            }
            int xid = r.u24("transaction id");
            return new Dhcp6Message.Client(type, xid, OptionReader.read(r, false, relayDepth, 0));
        }
        if (relayDepth >= MAX_RELAY_LAYERS) {
            throw new MalformedPacketException("relay messages nested deeper than " + MAX_RELAY_LAYERS);
        }
        if (r.remaining() < RELAY_HEADER - 1) {
            throw new MalformedPacketException(type + " of " + (r.remaining() + 1) + " bytes is shorter than its "
                    + RELAY_HEADER + "-byte header");
        }
        int hops = r.u8("hop count");
        Inet6Address link = r.address("link address");
        Inet6Address peer = r.address("peer address");
        Dhcp6Options options = OptionReader.read(r, true, relayDepth + 1, 0);
        if (!options.has(Dhcp6Option.RELAY_MSG)) {
            throw new MalformedPacketException(type + " without RELAY_MSG");
        }
        return new Dhcp6Message.Relay(type, hops, link, peer, options);
    }

    /**
     * The message's bytes. Throws {@link IllegalArgumentException} if a nested option or message does not fit its
     * 16-bit length; the caller decides whether the result fits the path (RFC 8415 §18.3: a server's reply may
     * be as large as UDP allows, relays and links permitting).
     */
    public static byte[] encode(Dhcp6Message m) {
        Writer out = new Writer();
        write(out, m);
        return out.toByteArray();
    }

    static void write(Writer out, Dhcp6Message m) {
        out.u8(m.type().code());
        if (m instanceof Dhcp6Message.Client c) {
            out.u24(c.transactionId());
        } else if (m instanceof Dhcp6Message.Relay r) {
            out.u8(r.hopCount()).address(r.linkAddress()).address(r.peerAddress());
        }
        OptionWriter.write(out, m.options());
    }
}
