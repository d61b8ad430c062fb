package dev.anvil.core.net;

import java.util.Optional;

/** How a network gets its IPv6 /64: a ULA from the installation's global ID, a fixed prefix, or none. */
public sealed interface V6Prefix {

    /** The /64 for a network with this numeric id, given the installation's ULA global ID. */
    Optional<Ipv6Prefix64> resolve(long ulaGlobalId, int networkId);

    /** The configuration text: {@code auto}, {@code none} or the prefix. */
    String text();

    record Auto() implements V6Prefix {
        @Override
        public Optional<Ipv6Prefix64> resolve(long ulaGlobalId, int networkId) {
            return Optional.of(UlaPrefix.of(ulaGlobalId, networkId));
        }

        @Override
        public String text() {
            return "auto";
        }
    }

    record Fixed(Ipv6Prefix64 prefix) implements V6Prefix {
        @Override
        public Optional<Ipv6Prefix64> resolve(long ulaGlobalId, int networkId) {
            return Optional.of(prefix);
        }

        @Override
        public String text() {
            return prefix.toString();
        }
    }

    record None() implements V6Prefix {
        @Override
        public Optional<Ipv6Prefix64> resolve(long ulaGlobalId, int networkId) {
            return Optional.empty();
        }

        @Override
        public String text() {
            return "none";
        }
    }

    static V6Prefix parse(String text) {
        if (text == null || text.equals("none")) {
            return new None();
        }
        if (text.equals("auto")) {
            return new Auto();
        }
        return new Fixed(Ipv6Prefix64.parse(text));
    }
}
