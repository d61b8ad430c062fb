package dev.anvil.core.net;

/** An IPv4 network in CIDR notation; the address is always the network address. */
public record Ipv4Cidr(Ipv4Address network, int prefixLength) {

    public Ipv4Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0..32");
        }
        if ((network.bits() & ~mask(prefixLength)) != 0) {
            throw new IllegalArgumentException(network + "/" + prefixLength + " has host bits set");
        }
    }

    /** Parses {@code a.b.c.d/n}; host bits must be zero. */
    public static Ipv4Cidr parse(String text) {
        String bad = text + " is not a valid IPv4 CIDR";
        if (text == null) {
            throw new IllegalArgumentException("null is not a valid IPv4 CIDR");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(bad);
        }
        String len = text.substring(slash + 1);
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(bad);
        }
        int prefix = Integer.parseInt(len);
        if (prefix > 32) {
            throw new IllegalArgumentException(bad);
        }
        Ipv4Address address;
        try {
            address = Ipv4Address.parse(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(bad);
        }
        if ((address.bits() & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException(text + " has host bits set (network is "
                    + new Ipv4Address(address.bits() & mask(prefix)) + "/" + prefix + ")");
        }
        return new Ipv4Cidr(address, prefix);
    }

    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public Ipv4Address netmask() {
        return new Ipv4Address(mask(prefixLength));
    }

    public Ipv4Address broadcast() {
        return new Ipv4Address(network.bits() | ~mask(prefixLength));
    }

    public boolean contains(Ipv4Address a) {
        return (a.bits() & mask(prefixLength)) == network.bits();
    }

    /** True if the address may be given to a host: inside, and not the network or broadcast address of a /0../30. */
    public boolean isHostAddress(Ipv4Address a) {
        if (!contains(a)) {
            return false;
        }
        return prefixLength >= 31 || (!a.equals(network) && !a.equals(broadcast()));
    }

    /** True if the two share an address (then one holds the other). */
    public boolean overlaps(Ipv4Cidr o) {
        return contains(o.network) || o.contains(network);
    }

    public boolean contains(Ipv4Range range) {
        return contains(range.start()) && contains(range.end());
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}
