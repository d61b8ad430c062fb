package dev.anvil.tftp.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Pure decode and encode of TFTP packets. Decoding throws only {@link MalformedPacketException}. */
public final class TftpCodec {
    /** Longest request we read: a full Ethernet payload; longer names or option lists are refused. */
    public static final int MAX_REQUEST = 1468;

    private TftpCodec() {}

    public static TftpPacket decode(byte[] b) throws MalformedPacketException {
        return decode(b, 0, b.length);
    }

    public static TftpPacket decode(byte[] b, int off, int len) throws MalformedPacketException {
        if (len < 2) {
            throw new MalformedPacketException("packet of " + len + " bytes has no opcode");
        }
        int op = ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
        switch (op) {
            case TftpPacket.RRQ, TftpPacket.WRQ -> {
                if (len > MAX_REQUEST) {
                    throw new MalformedPacketException("request of " + len + " bytes is too long");
                }
                String[] s = strings(b, off + 2, off + len);
                if (s.length < 2) {
                    throw new MalformedPacketException("request without file name and mode");
                }
                if (s.length % 2 != 0) {
                    throw new MalformedPacketException("option " + s[s.length - 1] + " has no value");
                }
                Map<String, String> opts = new LinkedHashMap<>();
                for (int i = 2; i < s.length; i += 2) {
                    opts.putIfAbsent(s[i], s[i + 1]);
                }
                return new TftpPacket.Request(op == TftpPacket.WRQ, s[0], s[1], opts);
            }
            case TftpPacket.DATA -> {
                if (len < 4) {
                    throw new MalformedPacketException("DATA without block number");
                }
                return new TftpPacket.Data(u16(b, off + 2), Arrays.copyOfRange(b, off + 4, off + len));
            }
            case TftpPacket.ACK -> {
                if (len < 4) {
                    throw new MalformedPacketException("ACK without block number");
                }
                return new TftpPacket.Ack(u16(b, off + 2));
            }
            case TftpPacket.ERROR -> {
                if (len < 4) {
                    throw new MalformedPacketException("ERROR without code");
                }
                String[] s = len == 4 ? new String[] {""} : strings(b, off + 4, off + len);
                return new TftpPacket.Error(u16(b, off + 2), s.length == 0 ? "" : s[0]);
            }
            case TftpPacket.OACK -> {
                String[] s = strings(b, off + 2, off + len);
                if (s.length % 2 != 0) {
                    throw new MalformedPacketException("OACK option " + s[s.length - 1] + " has no value");
                }
                Map<String, String> opts = new LinkedHashMap<>();
                for (int i = 0; i < s.length; i += 2) {
                    opts.putIfAbsent(s[i], s[i + 1]);
                }
                return new TftpPacket.OptionAck(opts);
            }
            default -> throw new MalformedPacketException("unknown opcode " + op);
        }
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    /** NUL-terminated strings filling [from, to) exactly; the last must be terminated too. */
    private static String[] strings(byte[] b, int from, int to) throws MalformedPacketException {
        java.util.List<String> out = new java.util.ArrayList<>();
        int start = from;
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                out.add(new String(b, start, i - start, StandardCharsets.US_ASCII));
                start = i + 1;
            }
        }
        if (start != to) {
            throw new MalformedPacketException("string not terminated by NUL");
        }
        return out.toArray(new String[0]);
    }

    public static byte[] encode(TftpPacket p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        if (p instanceof TftpPacket.Request r) {
            u16(out, r.write() ? TftpPacket.WRQ : TftpPacket.RRQ);
            str(out, r.filename());
            str(out, r.mode());
            r.options().forEach((k, v) -> {
                str(out, k);
                str(out, v);
            });
        } else if (p instanceof TftpPacket.Data d) {
            u16(out, TftpPacket.DATA);
            u16(out, d.block());
            out.writeBytes(d.payload());
        } else if (p instanceof TftpPacket.Ack a) {
            u16(out, TftpPacket.ACK);
            u16(out, a.block());
        } else if (p instanceof TftpPacket.Error e) {
            u16(out, TftpPacket.ERROR);
            u16(out, e.code());
            str(out, e.message());
        } else if (p instanceof TftpPacket.OptionAck o) {
            u16(out, TftpPacket.OACK);
            o.options().forEach((k, v) -> {
                str(out, k);
                str(out, v);
            });
        }
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void str(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
    }
}
