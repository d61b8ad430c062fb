package dev.anvil.dhcp.codec;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A BOOTP/DHCP message (RFC 2131 §2). {@code sname} and {@code file} are the raw 64- and 128-byte fields;
 * when option overload is in use they held options, which the codec has already moved into {@code options}.
 * Immutable: arrays are copied in and out.
 *
 * <p>Size: over 300 lines of accessors, one per fixed field and per option the policy reads.
 */
public final class DhcpPacket {
    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int FLAG_BROADCAST = 0x8000;
    public static final Ipv4Address ZERO_ADDRESS = new Ipv4Address(0);

    private final int op;
    private final int htype;
    private final int hlen;
    private final int hops;
    private final int xid;
    private final int secs;
    private final int flags;
    private final Ipv4Address ciaddr;
    private final Ipv4Address yiaddr;
    private final Ipv4Address siaddr;
    private final Ipv4Address giaddr;
    private final byte[] chaddr;
    private final byte[] sname;
    private final byte[] file;
    private final DhcpOptions options;

    public DhcpPacket(
            int op,
            int htype,
            int hlen,
            int hops,
            int xid,
            int secs,
            int flags,
            Ipv4Address ciaddr,
            Ipv4Address yiaddr,
            Ipv4Address siaddr,
            Ipv4Address giaddr,
            byte[] chaddr,
            byte[] sname,
            byte[] file,
            DhcpOptions options) {
        this(
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
                Arrays.copyOf(chaddr, 16),
                Arrays.copyOf(sname, 64),
                Arrays.copyOf(file, 128),
                options,
                true);
    }

    /**
     * Takes the arrays as they are: only for arrays of exactly 16, 64 and 128 bytes that nobody else holds or
     * changes (fresh ones, or another packet's), so the hot paths skip three copies per packet.
     */
    DhcpPacket(
            int op,
            int htype,
            int hlen,
            int hops,
            int xid,
            int secs,
            int flags,
            Ipv4Address ciaddr,
            Ipv4Address yiaddr,
            Ipv4Address siaddr,
            Ipv4Address giaddr,
            byte[] chaddr,
            byte[] sname,
            byte[] file,
            DhcpOptions options,
            boolean owned) {
        this.op = op & 0xff;
        this.htype = htype & 0xff;
        this.hlen = hlen & 0xff;
        this.hops = hops & 0xff;
        this.xid = xid;
        this.secs = secs & 0xffff;
        this.flags = flags & 0xffff;
        this.ciaddr = Objects.requireNonNull(ciaddr);
        this.yiaddr = Objects.requireNonNull(yiaddr);
        this.siaddr = Objects.requireNonNull(siaddr);
        this.giaddr = Objects.requireNonNull(giaddr);
        if (chaddr.length != 16 || sname.length != 64 || file.length != 128) {
            throw new IllegalArgumentException("chaddr, sname and file must be 16, 64 and 128 bytes");
        }
        this.chaddr = chaddr;
        this.sname = sname;
        this.file = file;
        this.options = Objects.requireNonNull(options);
    }

    public int op() {
        return op;
    }

    public int htype() {
        return htype;
    }

    public int hlen() {
        return hlen;
    }

    public int hops() {
        return hops;
    }

    public int xid() {
        return xid;
    }

    public int secs() {
        return secs;
    }

    public int flags() {
        return flags;
    }

    public boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    public Ipv4Address ciaddr() {
        return ciaddr;
    }

    public Ipv4Address yiaddr() {
        return yiaddr;
    }

    public Ipv4Address siaddr() {
        return siaddr;
    }

    public Ipv4Address giaddr() {
        return giaddr;
    }

    public byte[] chaddr() {
        return chaddr.clone();
    }

    /** The client's MAC, for Ethernet (htype 1, hlen 6); empty otherwise. */
    public java.util.Optional<MacAddress> mac() {
        return htype == 1 && hlen == 6
                ? java.util.Optional.of(MacAddress.fromBytes(chaddr, 0))
                : java.util.Optional.empty();
    }

    /** The arrays themselves, for the encoder in this package: never changed, never handed out. */
    byte[] rawChaddr() {
        return chaddr;
    }

    byte[] rawSname() {
        return sname;
    }

    byte[] rawFile() {
        return file;
    }

    public byte[] snameBytes() {
        return sname.clone();
    }

    public byte[] fileBytes() {
        return file.clone();
    }

    /** The boot file name (up to the first NUL), unless the field carries overloaded options. */
    public String file() {
        return cString(file, overload() & 1);
    }

    public String sname() {
        return cString(sname, overload() & 2);
    }

    int overload() {
        byte[] o = options.raw(DhcpOption.OVERLOAD);
        return o == null || o.length != 1 ? 0 : o[0] & 3;
    }

    private static String cString(byte[] b, int overloaded) {
        if (overloaded != 0) {
            return "";
        }
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    public DhcpOptions options() {
        return options;
    }

    /** A copy with the broadcast flag set or cleared. */
    public DhcpPacket withBroadcastFlag(boolean on) {
        return new DhcpPacket(
                op,
                htype,
                hlen,
                hops,
                xid,
                secs,
                on ? flags | FLAG_BROADCAST : flags & ~FLAG_BROADCAST,
                ciaddr,
                yiaddr,
                siaddr,
                giaddr,
                chaddr,
                sname,
                file,
                options,
                true);
    }

    /** A copy with different options. */
    public DhcpPacket withOptions(DhcpOptions o) {
        return new DhcpPacket(
                op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file, o, true);
    }

    /** The first reply fields of RFC 2131 §4.3.1's table: op, htype, hlen, xid, flags, giaddr, chaddr copied. */
    public static DhcpPacket reply(
            DhcpPacket req,
            Ipv4Address ciaddr,
            Ipv4Address yiaddr,
            Ipv4Address siaddr,
            String sname,
            String file,
            DhcpOptions options) {
        return new DhcpPacket(
                BOOTREPLY,
                req.htype,
                req.hlen,
                0,
                req.xid,
                0,
                req.flags,
                ciaddr,
                yiaddr,
                siaddr,
                req.giaddr,
                req.chaddr,
                field(sname, 64),
                field(file, 128),
                options,
                true);
    }

    private static byte[] field(String s, int len) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length >= len) {
            throw new IllegalArgumentException("\"" + s + "\" does not fit the " + len + "-byte field");
        }
        return Arrays.copyOf(b, len);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpPacket p
                && op == p.op
                && htype == p.htype
                && hlen == p.hlen
                && hops == p.hops
                && xid == p.xid
                && secs == p.secs
                && flags == p.flags
                && ciaddr.equals(p.ciaddr)
                && yiaddr.equals(p.yiaddr)
                && siaddr.equals(p.siaddr)
                && giaddr.equals(p.giaddr)
                && Arrays.equals(chaddr, p.chaddr)
                && Arrays.equals(sname, p.sname)
                && Arrays.equals(file, p.file)
                && options.equals(p.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, xid, ciaddr, yiaddr, giaddr, Arrays.hashCode(chaddr), options);
    }

    @Override
    public String toString() {
        return "DhcpPacket[op=" + op + " xid=" + Integer.toHexString(xid) + " chaddr="
                + mac().map(Object::toString).orElse("?") + " ciaddr=" + ciaddr + " yiaddr=" + yiaddr + " siaddr="
                + siaddr + " giaddr=" + giaddr
                + " file=" + file() + " options=" + options + "]";
    }
}
