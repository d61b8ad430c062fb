package dev.anvil.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Range} header of RFC 9110 §14.2 for byte ranges, parsed against a representation's length.
 * A header that is not a valid {@code bytes=} range set is ignored (the whole file is served); a valid set
 * where no range is satisfiable gets 416; otherwise the satisfiable ranges, in the order asked, clipped to
 * the length.
 */
public final class Ranges {
    /** More ranges than this in one request (a resource-exhaustion pattern) is answered with the whole file. */
    public static final int MAX_RANGES = 64;

    private Ranges() {}

    /** One satisfiable range; both ends inclusive. */
    public record ByteRange(long first, long last) {
        public long length() {
            return last - first + 1;
        }
    }

    /** The outcome of parsing. */
    public sealed interface Result permits Ignore, Unsatisfiable, Satisfiable {}

    /** No usable Range header: serve everything with 200. */
    public record Ignore() implements Result {}

    /** 416 Range Not Satisfiable with {@code Content-Range: bytes *}{@code /length}. */
    public record Unsatisfiable() implements Result {}

    /** 206 Partial Content: one range, or several as multipart/byteranges. */
    public record Satisfiable(List<ByteRange> ranges) implements Result {
        public Satisfiable {
            ranges = List.copyOf(ranges);
        }
    }

    public static Result parse(String header, long length) {
        if (header == null) {
            return new Ignore();
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Ignore();
        }
        String[] specs = h.substring(6).split(",", -1);
        if (specs.length > MAX_RANGES) {
            return new Ignore();
        }
        List<ByteRange> out = new ArrayList<>();
        int valid = 0;
        for (String raw : specs) {
            String s = raw.strip();
            if (s.isEmpty()) {
                continue; // RFC 9110 allows empty list elements
            }
            int dash = s.indexOf('-');
            if (dash < 0 || s.indexOf('-', dash + 1) >= 0) {
                return new Ignore();
            }
            String a = s.substring(0, dash).strip();
            String b = s.substring(dash + 1).strip();
            if (a.isEmpty()) {
                // suffix range: the last N bytes
                Long n = digits(b);
                if (n == null) {
                    return new Ignore();
                }
                valid++;
                if (n > 0 && length > 0) {
                    out.add(new ByteRange(Math.max(0, length - n), length - 1));
                }
                continue;
            }
            Long first = digits(a);
            Long last = b.isEmpty() ? Long.valueOf(Long.MAX_VALUE) : digits(b);
            if (first == null || last == null || last < first) {
                return new Ignore();
            }
            valid++;
            if (first < length) {
                out.add(new ByteRange(first, Math.min(last, length - 1)));
            }
        }
        if (valid == 0) {
            return new Ignore();
        }
        return out.isEmpty() ? new Unsatisfiable() : new Satisfiable(out);
    }

    /** A non-negative decimal that fits a long, or null. */
    private static Long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        return Long.parseLong(s);
    }
}
