package dev.anvil.dhcp6.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The options of a message (or of an IA_NA, IA_TA or IAADDR), in wire order. An option that may appear only once
 * in a list (all but IA_NA, IA_TA, IAADDR, the vendor options and the ones this codec does not know) appears at
 * most once: the decoder refuses a second one, and so does this constructor.
 */
public final class Dhcp6Options {
    public static final Dhcp6Options EMPTY = new Dhcp6Options(List.of());

    /** The codes that RFC 8415 and the option RFCs allow more than once in one list. */
    private static final Set<Integer> REPEATABLE = Set.of(
            Dhcp6Option.IA_NA,
            Dhcp6Option.IA_TA,
            Dhcp6Option.IAADDR,
            Dhcp6Option.VENDOR_CLASS,
            Dhcp6Option.VENDOR_OPTS);

    private static final Set<Integer> KNOWN = Set.of(
            Dhcp6Option.CLIENTID,
            Dhcp6Option.SERVERID,
            Dhcp6Option.ORO,
            Dhcp6Option.PREFERENCE,
            Dhcp6Option.ELAPSED_TIME,
            Dhcp6Option.RELAY_MSG,
            Dhcp6Option.STATUS_CODE,
            Dhcp6Option.RAPID_COMMIT,
            Dhcp6Option.USER_CLASS,
            Dhcp6Option.INTERFACE_ID,
            Dhcp6Option.DNS_SERVERS,
            Dhcp6Option.DOMAIN_LIST,
            Dhcp6Option.INFORMATION_REFRESH_TIME,
            Dhcp6Option.BOOTFILE_URL,
            Dhcp6Option.BOOTFILE_PARAM,
            Dhcp6Option.CLIENT_ARCH_TYPE,
            Dhcp6Option.NII,
            Dhcp6Option.CLIENT_LINKLAYER_ADDR);

    private final List<Dhcp6Option> options;

    private Dhcp6Options(List<Dhcp6Option> options) {
        this.options = options;
    }

    public static Dhcp6Options of(Dhcp6Option... options) {
        return of(List.of(options));
    }

    public static Dhcp6Options of(List<? extends Dhcp6Option> options) {
        List<Dhcp6Option> copy = List.copyOf(options);
        int dup = duplicate(copy);
        if (dup >= 0) {
            throw new IllegalArgumentException("option " + dup + " may appear only once");
        }
        return new Dhcp6Options(copy);
    }

    /** For the decoder, which has checked for duplicates itself. */
    static Dhcp6Options trusted(List<Dhcp6Option> options) {
        return new Dhcp6Options(List.copyOf(options));
    }

    /** The code of the first option that appears a second time although it may not, or -1. */
    static int duplicate(List<Dhcp6Option> options) {
        List<Integer> seen = new ArrayList<>();
        for (Dhcp6Option o : options) {
            if (onlyOnce(o.code())) {
                if (seen.contains(o.code())) {
                    return o.code();
                }
                seen.add(o.code());
            }
        }
        return -1;
    }

    static boolean onlyOnce(int code) {
        return KNOWN.contains(code) && !REPEATABLE.contains(code);
    }

    public List<Dhcp6Option> all() {
        return options;
    }

    public int size() {
        return options.size();
    }

    public boolean has(int code) {
        return options.stream().anyMatch(o -> o.code() == code);
    }

    public <T extends Dhcp6Option> Optional<T> first(Class<T> type) {
        return options.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    public <T extends Dhcp6Option> List<T> all(Class<T> type) {
        return options.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public Optional<Duid> clientId() {
        return first(Dhcp6Option.ClientId.class).map(Dhcp6Option.ClientId::duid);
    }

    public Optional<Duid> serverId() {
        return first(Dhcp6Option.ServerId.class).map(Dhcp6Option.ServerId::duid);
    }

    public List<Dhcp6Option.IaNa> iaNa() {
        return all(Dhcp6Option.IaNa.class);
    }

    /** The codes the client asks for in its ORO; empty when it sent none. */
    public List<Integer> requested() {
        return first(Dhcp6Option.OptionRequest.class)
                .map(Dhcp6Option.OptionRequest::codes)
                .orElse(List.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dhcp6Options other && options.equals(other.options);
    }

    @Override
    public int hashCode() {
        return options.hashCode();
    }

    @Override
    public String toString() {
        return options.toString();
    }
}
