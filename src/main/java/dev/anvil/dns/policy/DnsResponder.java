package dev.anvil.dns.policy;

import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The authoritative answer to one query, from the {@link LiveZones}: pure, no I/O. dnsjava's
 * {@link Message} is the wire codec. Outside Anvil's zones the answer is REFUSED: Anvil is never an open
 * resolver. Zone transfers are decided by the server (they need TCP and an allowed peer).
 */
public final class DnsResponder {
    private static final int HEADER = 12;
    private static final int OPT_SIZE = 11;
    private final int udpPayload;

    public DnsResponder(int udpPayload) {
        this.udpPayload = udpPayload;
    }

    /** The response, or empty for a message that must not be answered (itself a response). */
    public Optional<Message> respond(Message query, LiveZones zones) {
        Header h = query.getHeader();
        if (h.getFlag(Flags.QR)) {
            return Optional.empty();
        }
        Optional<Message> bad = ednsError(query);
        if (bad.isPresent()) {
            return bad;
        }
        Message r = new Message(h.getID());
        r.getHeader().setFlag(Flags.QR);
        if (h.getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        r.getHeader().setOpcode(h.getOpcode());
        OPTRecord opt = query.getOPT();
        if (opt != null) {
            if (opt.getVersion() > 0) {
                if (query.getSection(Section.QUESTION).size() == 1) { // a truncated (TC) query may have parsed without
                    r.addRecord(query.getQuestion(), Section.QUESTION);
                }
                r.getHeader().setRcode(Rcode.BADVERS & 0xf);
                r.addRecord(new OPTRecord(udpPayload, Rcode.BADVERS >>> 4, 0), Section.ADDITIONAL);
                return Optional.of(r);
            }
            r.addRecord(new OPTRecord(udpPayload, 0, 0), Section.ADDITIONAL);
        }
        if (h.getOpcode() != Opcode.QUERY) {
            r.getHeader().setRcode(Rcode.NOTIMP);
            return Optional.of(r);
        }
        // The sections as parsed, not the header's counts: dnsjava keeps a truncated (TC) message whose
        // question did not parse, with QDCOUNT 1 and no question.
        if (query.getSection(Section.QUESTION).size() != 1 || h.getCount(Section.ANSWER) != 0) {
            r.getHeader().setRcode(Rcode.FORMERR);
            return Optional.of(r);
        }
        Record q = query.getQuestion();
        r.addRecord(q, Section.QUESTION);
        Name qname = q.getName();
        int qtype = q.getType();
        Optional<Name> zone = zones.zoneOf(qname);
        if (zone.isEmpty() || q.getDClass() != org.xbill.DNS.DClass.IN) {
            r.getHeader().setRcode(Rcode.REFUSED);
            return Optional.of(r);
        }
        r.getHeader().setFlag(Flags.AA);
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            r.getHeader().setRcode(Rcode.REFUSED);
            return Optional.of(r);
        }
        Optional<Map<Integer, RRset>> sets = zones.at(qname);
        if (sets.isEmpty()) {
            if (!zones.hasDescendants(qname)) {
                r.getHeader().setRcode(Rcode.NXDOMAIN);
            }
            negative(r, zones, zone.get());
            return Optional.of(r);
        }
        RRset answer;
        if (qtype == Type.ANY) {
            // RFC 8482 §4.1: answer ANY with one RRset rather than everything.
            answer = sets.get().values().iterator().next();
        } else {
            answer = sets.get().get(qtype);
        }
        if (answer == null && qtype != Type.CNAME && sets.get().containsKey(Type.CNAME)) {
            return Optional.of(chase(r, zones, qname, qtype, sets.get().get(Type.CNAME)));
        }
        if (answer == null) {
            negative(r, zones, zone.get());
            return Optional.of(r);
        }
        for (Record rec : answer.rrs(false)) {
            r.addRecord(rec.withName(qname), Section.ANSWER); // the question's spelling, case and all
        }
        return Optional.of(r);
    }

    /**
     * An alias: the CNAME, then what its target has of the asked type when the target is Anvil's too
     * (RFC 1034 §4.3.2), following at most 8 links.
     */
    private static Message chase(Message r, LiveZones zones, Name qname, int qtype, RRset cname) {
        Name owner = qname;
        RRset link = cname;
        for (int hops = 0; hops < 8 && link != null; hops++) {
            Record c = link.first();
            r.addRecord(c.withName(owner), Section.ANSWER);
            Name target = ((org.xbill.DNS.CNAMERecord) c).getTarget();
            Optional<Map<Integer, RRset>> t = zones.at(target);
            if (t.isEmpty()) {
                return r; // outside Anvil's data: the resolver follows it
            }
            RRset wanted = t.get().get(qtype);
            if (wanted != null) {
                wanted.rrs(false).forEach(x -> r.addRecord(x, Section.ANSWER));
                return r;
            }
            owner = target;
            link = t.get().get(Type.CNAME);
        }
        return r;
    }

    /** NXDOMAIN or NODATA: the zone's SOA in the authority section (RFC 2308 §3). */
    private static void negative(Message r, LiveZones zones, Name zone) {
        zones.soa(zone).ifPresent(s -> s.rrs(false).forEach(rec -> r.addRecord(rec, Section.AUTHORITY)));
    }

    /**
     * FORMERR for a query whose EDNS is malformed (RFC 6891 §6.1.1): more than one OPT, an OPT outside the
     * additional section (OPT asked for as a question included), or an OPT whose owner is not the root. Empty
     * when the query's EDNS is sound or absent. Checked before anything else, BADVERS included, as NSD does.
     */
    public Optional<Message> ednsError(Message query) {
        Header h = query.getHeader();
        boolean bad = false;
        for (int s : new int[] {Section.QUESTION, Section.ANSWER, Section.AUTHORITY}) {
            bad |= query.getSection(s).stream().anyMatch(rec -> rec.getType() == Type.OPT);
        }
        int opts = 0;
        boolean rootOpt = false;
        for (Record rec : query.getSection(Section.ADDITIONAL)) {
            if (rec.getType() == Type.OPT) {
                opts++;
                bad |= !rec.getName().equals(Name.root);
                rootOpt |= rec.getName().equals(Name.root);
            }
        }
        if (!bad && opts <= 1) {
            return Optional.empty();
        }
        Message r = new Message(h.getID());
        r.getHeader().setFlag(Flags.QR);
        if (h.getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        r.getHeader().setOpcode(h.getOpcode());
        r.getHeader().setRcode(Rcode.FORMERR);
        if (rootOpt) {
            r.addRecord(new OPTRecord(udpPayload, 0, 0), Section.ADDITIONAL);
        }
        return Optional.of(r);
    }

    /**
     * FORMERR for {@code q[0..len)}, a message dnsjava could not parse, or empty when it is to be dropped (no
     * whole header, or itself a response). Spelled out in bytes, the same as {@link #ednsError}'s: the header
     * with the ID, opcode and RD kept, QR set, RCODE 1, no question; and an OPT (RFC 6891 §7: a FORMERR about
     * EDNS carries one) when the query's additional section can be reached and holds an OPT owned by the root.
     */
    public Optional<byte[]> formerr(byte[] q, int len) {
        if (len < HEADER || (q[2] & 0x80) != 0) {
            return Optional.empty();
        }
        boolean opt = rootOptInAdditional(q, len);
        byte[] r = new byte[HEADER + (opt ? OPT_SIZE : 0)];
        r[0] = q[0];
        r[1] = q[1];
        r[2] = (byte) (0x80 | (q[2] & 0x79)); // QR, the opcode and RD kept; AA and TC clear
        r[3] = (byte) Rcode.FORMERR;
        if (opt) {
            r[11] = 1;
            r[HEADER + 2] = (byte) Type.OPT;
            r[HEADER + 3] = (byte) (udpPayload >>> 8);
            r[HEADER + 4] = (byte) udpPayload;
        }
        return Optional.of(r);
    }

    /** Whether the records can be walked as far as an OPT owned by the root in the additional section. */
    static boolean rootOptInAdditional(byte[] q, int len) {
        int at = HEADER;
        for (int i = u16(q, 4); i > 0 && at >= 0; i--) {
            at = skipName(q, len, at);
            at = at < 0 || at + 4 > len ? -1 : at + 4;
        }
        int records = u16(q, 6) + u16(q, 8);
        for (int i = 0; i < records + u16(q, 10) && at >= 0; i++) {
            if (i >= records && at + 3 <= len && q[at] == 0 && u16(q, at + 1) == Type.OPT) {
                return true;
            }
            at = skipName(q, len, at);
            at = at < 0 || at + 10 > len ? -1 : at + 10 + u16(q, at + 8);
        }
        return false;
    }

    /** The offset after the name at {@code at}, or -1 when it runs off the end or has an unknown label type. */
    private static int skipName(byte[] q, int len, int at) {
        while (at < len) {
            int l = q[at] & 0xff;
            if (l == 0) {
                return at + 1;
            }
            if ((l & 0xc0) == 0xc0) {
                return at + 2 <= len ? at + 2 : -1;
            }
            if ((l & 0xc0) != 0) {
                return -1;
            }
            at += 1 + l;
        }
        return -1;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    /** The largest UDP answer for this query: 512 without EDNS, else the smaller of the two payload sizes. */
    public int maxUdpSize(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? 512 : Math.max(512, Math.min(opt.getPayloadSize(), udpPayload));
    }
}
