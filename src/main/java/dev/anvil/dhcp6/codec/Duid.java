package dev.anvil.dhcp6.codec;

import dev.anvil.core.node.MacAddress;
import java.util.Optional;
import java.util.UUID;

/**
 * A DHCP Unique Identifier (RFC 8415 §11), kept as its bytes (a server compares DUIDs as opaque values) with
 * views of the four standard types: DUID-LLT (1: hardware type, time, link-layer address), DUID-EN (2:
 * enterprise number, identifier), DUID-LL (3: hardware type, link-layer address) and DUID-UUID (4, RFC 6355).
 */
public final class Duid {
    public static final int LLT = 1;
    public static final int EN = 2;
    public static final int LL = 3;
    public static final int UUID_TYPE = 4;
    /** Type code plus at most 128 bytes of identifier (RFC 8415 §11.1). */
    public static final int MAX_LENGTH = 130;
    /** Hardware type 1: Ethernet (IANA ARP hardware types, RFC 826). */
    public static final int ETHERNET = 1;

    private final Octets raw;

    private Duid(Octets raw) {
        this.raw = raw;
    }

    /** A DUID from its bytes; throws {@link IllegalArgumentException} with the reason if they are not one. */
    public static Duid of(Octets raw) {
        String problem = problem(raw);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Duid(raw);
    }

    static Duid read(Reader r, String what) throws MalformedPacketException {
        Octets raw = r.rest();
        String problem = problem(raw);
        if (problem != null) {
            throw new MalformedPacketException(what + ": " + problem);
        }
        return new Duid(raw);
    }

    private static String problem(Octets d) {
        if (d.length() < 3 || d.length() > MAX_LENGTH) {
            return "a DUID of " + d.length() + " bytes (3 to " + MAX_LENGTH + ")";
        }
        int type = (d.get(0) << 8) | d.get(1);
        int min = switch (type) {
            case LLT -> 9; // type, hardware type, time, at least one byte of address
            case EN -> 7; // type, enterprise number, at least one byte of identifier
            case LL -> 5; // type, hardware type, at least one byte of address
            case UUID_TYPE -> 18;
            default -> 3;
        };
        if (d.length() < min || (type == UUID_TYPE && d.length() != 18)) {
            return "a DUID of type " + type + " cannot have " + d.length() + " bytes";
        }
        return null;
    }

    public static Duid llt(int hardwareType, long time, byte[] address) {
        Writer w = new Writer().u16(LLT).u16(hardwareType).u32(time).bytes(address);
        return of(Octets.of(w.toByteArray()));
    }

    public static Duid ll(int hardwareType, byte[] address) {
        return of(
                Octets.of(new Writer().u16(LL).u16(hardwareType).bytes(address).toByteArray()));
    }

    public static Duid en(long enterpriseNumber, byte[] identifier) {
        return of(Octets.of(
                new Writer().u16(EN).u32(enterpriseNumber).bytes(identifier).toByteArray()));
    }

    public static Duid uuid(UUID uuid) {
        Writer w = new Writer().u16(UUID_TYPE).u32(uuid.getMostSignificantBits() >>> 32);
        w.u32(uuid.getMostSignificantBits()).u32(uuid.getLeastSignificantBits() >>> 32);
        return of(Octets.of(w.u32(uuid.getLeastSignificantBits()).toByteArray()));
    }

    public int type() {
        return u16(0);
    }

    public Octets raw() {
        return raw;
    }

    public int length() {
        return raw.length();
    }

    private int u16(int at) {
        return (raw.get(at) << 8) | raw.get(at + 1);
    }

    private long u32(int at) {
        return ((long) u16(at) << 16) | u16(at + 2);
    }

    /** The hardware type of a DUID-LLT or DUID-LL. */
    public Optional<Integer> hardwareType() {
        return type() == LLT || type() == LL ? Optional.of(u16(2)) : Optional.empty();
    }

    /** The link-layer address of a DUID-LLT or DUID-LL. */
    public Optional<Octets> linkLayerAddress() {
        byte[] b = raw.toByteArray();
        return switch (type()) {
            case LLT -> Optional.of(Octets.of(b, 8, b.length));
            case LL -> Optional.of(Octets.of(b, 4, b.length));
            default -> Optional.empty();
        };
    }

    /**
     * The MAC address in a DUID-LLT or DUID-LL of hardware type 1 (Ethernet) with a 6-byte address. It is the
     * address of some interface of the client when the DUID was made, not necessarily the one it sends from.
     */
    public Optional<MacAddress> mac() {
        return hardwareType()
                .filter(h -> h == ETHERNET)
                .flatMap(h -> linkLayerAddress())
                .filter(a -> a.length() == 6)
                .map(a -> MacAddress.fromBytes(a.toByteArray(), 0));
    }

    /** The time of a DUID-LLT: seconds since 2000-01-01 UTC, modulo 2^32. */
    public Optional<Long> time() {
        return type() == LLT ? Optional.of(u32(4)) : Optional.empty();
    }

    public Optional<Long> enterpriseNumber() {
        return type() == EN ? Optional.of(u32(2)) : Optional.empty();
    }

    public Optional<UUID> uuid() {
        if (type() != UUID_TYPE) {
            return Optional.empty();
        }
        return Optional.of(new UUID((u32(2) << 32) | u32(6), (u32(10) << 32) | u32(14)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Duid d && raw.equals(d.raw);
    }

    @Override
    public int hashCode() {
        return raw.hashCode();
    }

    /** Colon-separated hex, as dnsmasq and dhclient log it. */
    @Override
    public String toString() {
        return raw.hex().replaceAll("(..)(?!$)", "$1:");
    }
}
