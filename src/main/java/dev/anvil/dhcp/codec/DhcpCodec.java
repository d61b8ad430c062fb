package dev.anvil.dhcp.codec;

import dev.anvil.core.net.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Pure decode and encode of DHCP messages (RFC 2131 §2, RFC 2132 options, RFC 3396 long options, option
 * overload into file/sname). Decoding never throws anything but {@link MalformedPacketException}.
 */
public final class DhcpCodec {
    /** op .. file: the fixed BOOTP header (RFC 2131 §2). */
    static final int HEADER = 236;

    static final int COOKIE_END = 240;
    static final int FILE_OFFSET = 108;
    static final int SNAME_OFFSET = 44;
    static final byte[] COOKIE = {99, (byte) 130, 83, 99};
    /** BOOTP relay agents and old clients expect at least 300 bytes (RFC 1542 §2.1). */
    public static final int MIN_BOOTP_SIZE = 300;
    /** 576-byte IP datagram minus IP and UDP headers: what every client must accept (RFC 2131 §2). */
    public static final int DEFAULT_MAX_SIZE = 548;

    /** The largest reply over Ethernet: a 1500-byte IP datagram minus the IP and UDP headers. */
    public static final int MAX_REPLY_SIZE = 1472;

    private DhcpCodec() {}

    /**
     * The size a reply to a request with these options may take: option 57 (RFC 2132 §9.10, the whole IP
     * datagram, so less its 28 header bytes), never below the 548 every client accepts nor above
     * {@link #MAX_REPLY_SIZE}.
     */
    public static int replyLimit(DhcpOptions request) {
        return request.maxMessageSize()
                .map(m -> Math.min(Math.max(m - 28, DEFAULT_MAX_SIZE), MAX_REPLY_SIZE))
                .orElse(DEFAULT_MAX_SIZE);
    }

    public static DhcpPacket decode(byte[] b) throws MalformedPacketException {
        return decode(b, 0, b.length);
    }

    public static DhcpPacket decode(byte[] b, int off, int len) throws MalformedPacketException {
        if (len < COOKIE_END) {
            throw new MalformedPacketException("packet of " + len + " bytes is shorter than the 240-byte header");
        }
        if (!Arrays.equals(b, off + HEADER, off + COOKIE_END, COOKIE, 0, 4)) {
            throw new MalformedPacketException("no DHCP magic cookie");
        }
        int hlen = b[off + 2] & 0xff;
        if (hlen > 16) {
            throw new MalformedPacketException("hardware address length " + hlen + " exceeds 16");
        }
        DhcpOptions.Builder opts = DhcpOptions.builder();
        parseOptions(b, off + COOKIE_END, off + len, opts, true);
        byte[] overload = opts.build().raw(DhcpOption.OVERLOAD);
        if (overload != null) {
            if (overload.length != 1 || overload[0] < 1 || overload[0] > 3) {
                throw new MalformedPacketException("option overload value is not 1, 2 or 3");
            }
            // RFC 3396 §5: options area, then file, then sname.
            if ((overload[0] & 1) != 0) {
                parseOptions(b, off + FILE_OFFSET, off + FILE_OFFSET + 128, opts, false);
            }
            if ((overload[0] & 2) != 0) {
                parseOptions(b, off + SNAME_OFFSET, off + SNAME_OFFSET + 64, opts, false);
            }
        }
        ByteBuffer h = ByteBuffer.wrap(b, off, HEADER);
        int op = h.get() & 0xff;
        int htype = h.get() & 0xff;
        h.get();
        int hops = h.get() & 0xff;
        int xid = h.getInt();
        int secs = h.getShort() & 0xffff;
        int flags = h.getShort() & 0xffff;
        Ipv4Address ciaddr = new Ipv4Address(h.getInt());
        Ipv4Address yiaddr = new Ipv4Address(h.getInt());
        Ipv4Address siaddr = new Ipv4Address(h.getInt());
        Ipv4Address giaddr = new Ipv4Address(h.getInt());
        return new DhcpPacket(
                op,
                htype,
                hlen,
                hops,
                xid,
                secs,
                flags,
                ciaddr,
                yiaddr,
                siaddr,
                giaddr,
                Arrays.copyOfRange(b, off + 28, off + 44),
                Arrays.copyOfRange(b, off + SNAME_OFFSET, off + FILE_OFFSET),
                Arrays.copyOfRange(b, off + FILE_OFFSET, off + HEADER),
                opts.build(),
                true);
    }

    private static void parseOptions(byte[] b, int from, int to, DhcpOptions.Builder opts, boolean main)
            throws MalformedPacketException {
        int i = from;
        while (i < to) {
            int code = b[i] & 0xff;
            if (code == DhcpOption.PAD) {
                i++;
                continue;
            }
            if (code == DhcpOption.END) {
                return;
            }
            if (i + 1 >= to) {
                throw new MalformedPacketException("option " + code + " at offset " + (i - from) + " has no length");
            }
            int len = b[i + 1] & 0xff;
            if (i + 2 + len > to) {
                throw new MalformedPacketException("option " + code + " overruns the "
                        + (main ? "options area" : "field") + " by " + (i + 2 + len - to) + " bytes");
            }
            if (main || code != DhcpOption.OVERLOAD) {
                opts.append(code, Arrays.copyOfRange(b, i + 2, i + 2 + len));
            }
            i += 2 + len;
        }
        // A missing END where the bytes run out is tolerated, as Kea and dnsmasq do.
    }

    /**
     * A reply within {@code maxSize} bytes (padded to the BOOTP minimum), or empty when its options do not fit
     * even with overload: options a request had echoed (relay agent information, a client UUID) can be made that
     * large, and such a reply is dropped, not sent cut.
     */
    public static java.util.Optional<byte[]> encodeReply(DhcpPacket p, int maxSize) {
        try {
            return java.util.Optional.of(encode(p, maxSize, MIN_BOOTP_SIZE));
        } catch (TooLargeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The options do not fit the size, even with overload. */
    static final class TooLargeException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /** Encodes within the default 548-byte limit, padded to the BOOTP minimum. */
    public static byte[] encode(DhcpPacket p) {
        return encode(p, DEFAULT_MAX_SIZE, MIN_BOOTP_SIZE);
    }

    /**
     * Encodes the packet in at most {@code maxSize} bytes, zero-padded to {@code minSize}. Options that do
     * not fit the options area go into file, then sname, announced by option 52 (only when those fields are
     * empty). Values over 255 bytes are split into consecutive instances (RFC 3396).
     */
    public static byte[] encode(DhcpPacket p, int maxSize, int minSize) {
        DhcpOptions o = p.options();
        int need = 1;
        for (int i = 0; i < o.size(); i++) {
            if (o.codeAt(i) != DhcpOption.OVERLOAD) {
                need += wireLength(o.rawAt(i));
            }
        }
        // Fields that carried overloaded options on decode hold no name: blank them before re-encoding.
        int ov = p.overload();
        byte[] file = (ov & 1) != 0 ? new byte[128] : p.rawFile();
        byte[] sname = (ov & 2) != 0 ? new byte[64] : p.rawSname();
        if (COOKIE_END + need > maxSize) {
            return encodeOverloaded(p, chunks(o), maxSize, minSize, sname, file);
        }
        // the common case: every option in the options area, written straight into the packet
        byte[] packet = new byte[Math.max(minSize, COOKIE_END + need)];
        ByteBuffer out = ByteBuffer.wrap(packet);
        header(out, p, sname, file);
        for (int i = 0; i < o.size(); i++) {
            int code = o.codeAt(i);
            if (code == DhcpOption.OVERLOAD) {
                continue; // the encoder decides on overload itself
            }
            putOption(out, code, o.rawAt(i));
        }
        out.put((byte) DhcpOption.END);
        return packet;
    }

    /** An option's length on the wire: code and length octets for each instance of at most 255 value bytes. */
    private static int wireLength(byte[] v) {
        return v.length + 2 * Math.max(1, (v.length + 254) / 255);
    }

    /** Writes an option: one instance, or several in a row for a value over 255 bytes (RFC 3396). */
    private static void putOption(ByteBuffer out, int code, byte[] v) {
        int pos = 0;
        do {
            int n = Math.min(255, v.length - pos);
            out.put((byte) code).put((byte) n).put(v, pos, n);
            pos += n;
        } while (pos < v.length);
    }

    private static byte[] encodeOverloaded(
            DhcpPacket p, byte[][] chunks, int maxSize, int minSize, byte[] oldSname, byte[] oldFile) {
        // RFC 2131 §4.1: file, then sname, carry options only when they hold nothing else (a boot file name
        // in file leaves sname).
        boolean fileFree = isEmpty(oldFile);
        boolean snameFree = isEmpty(oldSname);
        if (!fileFree && !snameFree) {
            throw new TooLargeException("options need " + maxSize + "+ bytes and file/sname are in use");
        }
        byte[] file = fileFree ? new byte[128] : oldFile;
        byte[] sname = snameFree ? new byte[64] : oldSname;
        byte[] main = new byte[maxSize - COOKIE_END];
        byte[][] areas =
                fileFree && snameFree ? new byte[][] {main, file, sname} : new byte[][] {main, fileFree ? file : sname};
        int[] used = new int[areas.length];
        used[0] = 3; // main starts with the 3-byte overload option
        int area = 0;
        for (byte[] c : chunks) {
            while (area < areas.length && used[area] + c.length + 1 > areas[area].length) {
                areas[area][used[area]++] = (byte) DhcpOption.END;
                area++;
            }
            if (area == areas.length) {
                throw new TooLargeException("options do not fit in " + maxSize + " bytes even with overload");
            }
            System.arraycopy(c, 0, areas[area], used[area], c.length);
            used[area] += c.length;
        }
        areas[area][used[area]++] = (byte) DhcpOption.END;
        int overload = 0;
        for (int i = 1; i <= area; i++) {
            overload |= areas[i] == file ? 1 : 2;
        }
        main[0] = (byte) DhcpOption.OVERLOAD;
        main[1] = 1;
        main[2] = (byte) overload;
        ByteBuffer out = ByteBuffer.allocate(Math.max(minSize, COOKIE_END + used[0]));
        header(out, p, sname, file);
        out.put(main, 0, used[0]);
        return out.array();
    }

    private static void header(ByteBuffer out, DhcpPacket p, byte[] sname, byte[] file) {
        out.put((byte) p.op())
                .put((byte) p.htype())
                .put((byte) p.hlen())
                .put((byte) p.hops())
                .putInt(p.xid())
                .putShort((short) p.secs())
                .putShort((short) p.flags())
                .putInt(p.ciaddr().bits())
                .putInt(p.yiaddr().bits())
                .putInt(p.siaddr().bits())
                .putInt(p.giaddr().bits())
                .put(p.rawChaddr())
                .put(sname)
                .put(file)
                .put(COOKIE);
    }

    /** Each option as wire bytes: code, length, value; values over 255 bytes become several instances. */
    private static byte[][] chunks(DhcpOptions o) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < o.size(); i++) {
            int code = o.codeAt(i);
            if (code == DhcpOption.OVERLOAD) {
                continue; // the encoder decides on overload itself
            }
            byte[] whole = new byte[wireLength(o.rawAt(i))];
            putOption(ByteBuffer.wrap(whole), code, o.rawAt(i));
            for (int p = 0; p < whole.length; p += 257) { // every instance but the last is 2 + 255 bytes
                out.add(Arrays.copyOfRange(whole, p, Math.min(whole.length, p + 257)));
            }
        }
        return out.toArray(new byte[0][]);
    }

    private static boolean isEmpty(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
