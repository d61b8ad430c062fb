package dev.anvil.dns.policy;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Pre-encoded positive answers, built once per zone snapshot, for the hot path: a plain query (one question,
 * class IN, at most an EDNS0 OPT) for a name and type that exist is answered by copying the query's header
 * and question and appending these bytes, without parsing into objects or encoding names. Every answer's
 * owner is a compression pointer to the question (offset 12), so the question's spelling, case included,
 * is what the answer shows. Everything else (negative answers, ANY, odd queries) takes the full path.
 */
public final class AnswerCache {
  /** Answer section bytes and their record count, per lowercase name + type. */
  record Entry(byte[] answers, int count) {}

  private final Map<String, Entry> entries = new HashMap<>();

  AnswerCache(Map<org.xbill.DNS.Name, Map<Integer, RRset>> names) {
    names.forEach((name, sets) -> sets.forEach((type, set) -> {
      if (type == Type.SOA) {
        return; // SOA queries are rare: the full path answers them
      }
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
      entries.put(key(name.toString(false).toLowerCase(java.util.Locale.ROOT), type), new Entry(out.toByteArray(), n));
    }));
  }

  static String key(String dottedName, int type) {
    return dottedName + "/" + type;
  }

  Optional<Entry> get(String key) {
    return Optional.ofNullable(entries.get(key));
  }
}
