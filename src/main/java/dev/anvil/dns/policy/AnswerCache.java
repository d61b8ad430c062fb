package dev.anvil.dns.policy;

import java.io.ByteArrayOutputStream;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Pre-encoded positive answers for the hot path: a plain query (one question, class IN, at most an EDNS0
 * OPT) for a name and type that exist is answered by copying the query's header and question and appending
 * these bytes, without parsing into objects or encoding names. Every answer's owner is a compression pointer
 * to the question (offset 12), so the question's spelling, case included, is what the answer shows.
 * Everything else (negative answers, ANY, SOA, odd queries) takes the full path. {@link LiveZones} keeps it
 * in step with its records: a name's entries are replaced (or removed) when that name's RRsets change,
 * before the change returns, so the fast path never answers from a record that is gone.
 */
public final class AnswerCache {
    /** Answer section bytes and their record count, per lowercase name + type. */
    record Entry(byte[] answers, int count) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    AnswerCache() {}

    /** The name's RRsets went from {@code old} to {@code now}: entries for types gone go, the others are re-encoded. */
    void update(Name name, Map<Integer, RRset> now, Map<Integer, RRset> old) {
        String dotted = name.toString(false).toLowerCase(Locale.ROOT);
        old.keySet().forEach(type -> {
            if (!now.containsKey(type)) {
                entries.remove(key(dotted, type));
            }
        });
        now.forEach((type, set) -> {
            if (type != Type.SOA && set != old.get(type)) { // SOA queries are rare: the full path answers them
                entries.put(key(dotted, type), encode(type, set));
            }
        });
    }

    private static Entry encode(int type, RRset set) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 0;
        for (Record r : set.rrs(false)) {
            byte[] rd = r.rdataToWireCanonical(); // uncompressed, so it stands anywhere in a message
            out.write(0xc0);
            out.write(12);
            out.write(type >>> 8);
            out.write(type);
            out.write(0);
            out.write(1);
            long ttl = r.getTTL();
            out.write((int) (ttl >>> 24));
            out.write((int) (ttl >>> 16));
            out.write((int) (ttl >>> 8));
            out.write((int) ttl);
            out.write(rd.length >>> 8);
            out.write(rd.length);
            out.writeBytes(rd);
            n++;
        }
        return new Entry(out.toByteArray(), n);
    }

    static String key(String dottedName, int type) {
        return dottedName + "/" + type;
    }

    Optional<Entry> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** Every entry, by key (tests). */
    Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }
}
