package dev.anvil.core.net;

/** An inclusive range of IPv4 addresses, written {@code first-last}. */
public record Ipv4Range(Ipv4Address start, Ipv4Address end) {

    public Ipv4Range {
        if (start.compareTo(end) > 0) {
            throw new IllegalArgumentException("range " + start + "-" + end + " ends before it starts");
        }
    }

    public static Ipv4Range parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("null is not an IPv4 range");
        }
        int dash = text.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException(text + " is not an IPv4 range (first-last)");
        }
        try {
            return new Ipv4Range(
                    Ipv4Address.parse(text.substring(0, dash).trim()),
                    Ipv4Address.parse(text.substring(dash + 1).trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(text + " is not an IPv4 range (first-last): " + e.getMessage());
        }
    }

    public boolean contains(Ipv4Address a) {
        return start.compareTo(a) <= 0 && a.compareTo(end) <= 0;
    }

    public boolean overlaps(Ipv4Range o) {
        return start.compareTo(o.end) <= 0 && o.start.compareTo(end) <= 0;
    }

    public long size() {
        return end.unsigned() - start.unsigned() + 1;
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
