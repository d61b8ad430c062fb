package dev.anvil.dns.policy;

import java.util.Optional;

/**
 * The hot path of the DNS server: answers a plain query straight from an {@link AnswerCache}, or says it
 * cannot (empty), in which case the caller takes the full dnsjava path. Pure: bytes in, bytes out.
 */
public final class FastPath {
    private static final int HEADER = 12;
    private final int udpPayload;

    public FastPath(int udpPayload) {
        this.udpPayload = udpPayload;
    }

    /** The response to {@code q[0..len)}, or empty to fall back. {@code maxSize}: the UDP limit, or 65535 for TCP. */
    public Optional<byte[]> answer(byte[] q, int len, LiveZones zones, boolean udp) {
        if (len < HEADER + 5) {
            return Optional.empty();
        }
        int flags1 = q[2] & 0xff;
        // QR must be 0 and the opcode QUERY; the counts: one question, no answers or authority, at most OPT.
        if ((flags1 & 0xf8) != 0 || u16(q, 4) != 1 || u16(q, 6) != 0 || u16(q, 8) != 0 || u16(q, 10) > 1) {
            return Optional.empty();
        }
        StringBuilder name = new StringBuilder(64);
        int i = HEADER;
        while (true) {
            if (i >= len) {
                return Optional.empty();
            }
            int l = q[i] & 0xff;
            if (l == 0) {
                i++;
                break;
            }
            if (l > 63 || i + 1 + l > len) {
                return Optional.empty(); // compression or garbage in a question: let the full path judge
            }
            for (int k = i + 1; k <= i + l; k++) {
                char c = (char) (q[k] & 0xff);
                if (c == '.' || c == '\\' || c < 0x21 || c > 0x7e) {
                    return Optional.empty();
                }
                name.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
            }
            name.append('.');
            i += 1 + l;
        }
        if (i + 4 > len) {
            return Optional.empty();
        }
        int qtype = u16(q, i);
        int qclass = u16(q, i + 2);
        int questionEnd = i + 4;
        if (qclass != 1) {
            return Optional.empty();
        }
        boolean edns = u16(q, 10) == 1;
        int clientPayload = 512;
        if (edns) {
            // OPT: root name, type 41, class = payload, ttl = ext-rcode/version/flags, rdata (options, ignored).
            int o = questionEnd;
            if (o + 11 > len
                    || q[o] != 0
                    || u16(q, o + 1) != 41
                    || (q[o + 6] & 0xff) != 0
                    || o + 11 + u16(q, o + 9) != len
                    || !plainOptions(q, o + 11, len)) {
                return Optional.empty();
            }
            // The options must fill the rdata exactly, or dnsjava refuses the query: the full path judges it.
            for (int p = o + 11; p < len; p += 4 + u16(q, p + 2)) {
                if (p + 4 > len || p + 4 + u16(q, p + 2) > len) {
                    return Optional.empty();
                }
            }
            clientPayload = Math.max(512, u16(q, o + 3));
        } else if (questionEnd != len) {
            return Optional.empty();
        }
        if (name.length() == 0) {
            name.append('.');
        }
        Optional<AnswerCache.Entry> e = zones.answers().get(AnswerCache.key(name.toString(), qtype));
        if (e.isEmpty()) {
            return Optional.empty();
        }
        int size = questionEnd + e.get().answers().length + (edns ? 11 : 0);
        int limit = udp ? Math.min(clientPayload, edns ? udpPayload : 512) : 65535;
        if (size > limit) {
            return Optional.empty(); // the full path truncates properly
        }
        byte[] r = new byte[size];
        System.arraycopy(q, 0, r, 0, questionEnd);
        r[2] = (byte) (0x84 | (flags1 & 0x01)); // QR, AA, RD copied; opcode 0
        r[3] = 0; // RA 0, rcode NOERROR
        r[6] = (byte) (e.get().count() >>> 8);
        r[7] = (byte) e.get().count();
        r[10] = 0;
        r[11] = (byte) (edns ? 1 : 0);
        System.arraycopy(e.get().answers(), 0, r, questionEnd, e.get().answers().length);
        if (edns) {
            int o = questionEnd + e.get().answers().length;
            r[o] = 0;
            r[o + 1] = 0;
            r[o + 2] = 41;
            r[o + 3] = (byte) (udpPayload >>> 8);
            r[o + 4] = (byte) udpPayload;
            // ext-rcode, version, flags and rdlength stay 0
        }
        return Optional.of(r);
    }

    /**
     * Whether the OPT's options in {@code q[from..to)} are only ones the full path would accept too: a COOKIE of
     * a valid length (RFC 7873 §4: 8, or 16 to 40 bytes) and PADDING, each within the record. Anything else,
     * malformed or not, goes to the full path, which answers FORMERR for what dnsjava will not read.
     */
    private static boolean plainOptions(byte[] q, int from, int to) {
        int at = from;
        while (at < to) {
            if (at + 4 > to) {
                return false;
            }
            int code = u16(q, at);
            int length = u16(q, at + 2);
            at += 4 + length;
            boolean cookie = code == 10 && (length == 8 || length >= 16 && length <= 40);
            if (at > to || !cookie && code != 12) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
}
