package dev.anvil.dhcp6.codec;

import java.net.Inet6Address;
import java.util.Objects;
import java.util.Optional;

/**
 * A DHCPv6 message (RFC 8415 §8, §9): a client/server message (type, 24-bit transaction id, options) or a relay
 * message (type, hop count, link address, peer address, options with the relayed message in RELAY_MSG).
 */
public sealed interface Dhcp6Message {
    MessageType type();

    Dhcp6Options options();

    /** A message between client and server (every type but RELAY-FORW and RELAY-REPL). */
    record Client(MessageType type, int transactionId, Dhcp6Options options) implements Dhcp6Message {
        public Client {
            if (type.isRelay()) {
                throw new IllegalArgumentException(type + " is a relay message");
            }
            if (transactionId < 0 || transactionId > 0xffffff) {
                throw new IllegalArgumentException("transaction id " + transactionId + " is not 24 bits");
            }
            Objects.requireNonNull(options);
        }
    }

    /** RELAY-FORW or RELAY-REPL. */
    record Relay(
            MessageType type, int hopCount, Inet6Address linkAddress, Inet6Address peerAddress, Dhcp6Options options)
            implements Dhcp6Message {
        public Relay {
            if (!type.isRelay()) {
                throw new IllegalArgumentException(type + " is not a relay message");
            }
            if (hopCount < 0 || hopCount > 0xff) {
                throw new IllegalArgumentException("hop count " + hopCount + " is not 0..255");
            }
            Objects.requireNonNull(linkAddress);
            Objects.requireNonNull(peerAddress);
            Objects.requireNonNull(options);
        }

        /** The message this one carries in its RELAY_MSG option. */
        public Optional<Dhcp6Message> relayed() {
            return options.first(Dhcp6Option.RelayMsg.class).map(Dhcp6Option.RelayMsg::message);
        }

        /** The client/server message inside all relay layers, if there is one. */
        public Optional<Client> innermost() {
            Optional<Dhcp6Message> m = relayed();
            while (m.isPresent() && m.get() instanceof Relay r) {
                m = r.relayed();
            }
            return m.map(Client.class::cast);
        }
    }
}
