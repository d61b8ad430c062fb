package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The human output: a table (upper-case headers, columns two spaces apart, no trailing blanks) or aligned
 * {@code key: value} lines, and how a JSON value reads in them ({@code -} for null or empty, {@code yes}/{@code
 * no}, lists joined with commas, instants to the second).
 */
final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
    }

    /** Adds a row; a cell is {@link #text}ed: null becomes {@code -}, newlines spaces. */
    Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(cell(c));
        }
        rows.add(r);
        return this;
    }

    String render() {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers.stream().map(h -> h.toUpperCase(Locale.ROOT)).toList(), width);
        for (List<String> r : rows) {
            line(out, r, width);
        }
        return out.toString();
    }

    /** {@code key: value} lines, the values aligned one column after the longest key. */
    static String fields(Map<String, ?> fields) {
        int w = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
        StringBuilder out = new StringBuilder();
        fields.forEach((k, v) -> {
            String key = k + ":";
            String value = cell(v);
            out.append(key).append(" ".repeat(w - key.length() + 1)).append(value);
            out.append('\n');
        });
        return out.toString();
    }

    /** A JSON value as a cell: {@code -} for null, missing or empty; booleans yes/no; arrays comma-joined. */
    static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "-";
        }
        if (n.isBoolean()) {
            return n.asBoolean() ? "yes" : "no";
        }
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(e -> parts.add(text(e)));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        if (n.isObject()) {
            List<String> parts = new ArrayList<>();
            n.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + text(e.getValue())));
            return parts.isEmpty() ? "-" : String.join(" ", parts);
        }
        String s = n.asText();
        return s.isEmpty() ? "-" : s;
    }

    /** An ISO-8601 instant to the second ({@code 2026-12-05T10:40:02Z}); anything else as it is. */
    static String when(JsonNode n) {
        if (n == null || !n.isTextual()) {
            return text(n);
        }
        try {
            return Instant.parse(n.asText()).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return n.asText();
        }
    }

    /** A byte count for people: {@code 512 B}, {@code 1.5 KiB}, {@code 3.7 GiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Seconds for people: {@code 9s}, {@code 4m 5s}, {@code 2d 3h 4m 5s}. */
    static String duration(long seconds) {
        long d = seconds / 86400;
        long h = seconds / 3600 % 24;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        StringBuilder out = new StringBuilder();
        if (d > 0) {
            out.append(d).append("d ");
        }
        if (d > 0 || h > 0) {
            out.append(h).append("h ");
        }
        if (d > 0 || h > 0 || m > 0) {
            out.append(m).append("m ");
        }
        return out.append(s).append('s').toString();
    }

    private static String cell(Object c) {
        String s = c instanceof JsonNode j ? text(j) : c == null ? "-" : c.toString();
        s = s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
        return s.isEmpty() ? "-" : s;
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            l.append(cells.get(i));
            if (i < cells.size() - 1) {
                l.append(" ".repeat(width[i] - cells.get(i).length() + 2));
            }
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }
}
