package dev.anvil.dhcp6.policy;

import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.dhcp6.codec.Dhcp6Message;
import java.net.Inet6Address;
import java.util.List;
import java.util.Optional;

/** What the responder decided for one message: a reply to send, or a drop with its reason (counted). */
public sealed interface Dhcp6Decision {
    /**
     * A reply, and what it gave: the addresses bound (empty for an ADVERTISE, an INFORMATION-REQUEST or a
     * RELEASE), the client's MAC when known, its node when it is one, and the boot-file URL sent.
     */
    record Reply(
            Dhcp6Message.Client message,
            List<Inet6Address> bound,
            Optional<MacAddress> mac,
            Optional<Node> node,
            Optional<String> bootFileUrl)
            implements Dhcp6Decision {}

    /** Not answered: RFC 8415 says to discard it, or it is not for this server. */
    record Drop(Reason reason) implements Dhcp6Decision {}

    enum Reason {
        /** A server-to-client type (ADVERTISE, REPLY, RECONFIGURE, RELAY-REPL) sent to the server. */
        NOT_A_CLIENT_MESSAGE,
        /** No Client Identifier where RFC 8415 §16 requires one. */
        NO_CLIENT_ID,
        /** A Server Identifier on a SOLICIT, CONFIRM or REBIND, or none on a REQUEST, RENEW, RELEASE or DECLINE. */
        BAD_SERVER_ID,
        /** A Server Identifier that names another server. */
        OTHER_SERVER,
        /** A CONFIRM without addresses (RFC 8415 §18.3.3: the server must not answer it). */
        NOTHING_TO_CONFIRM,
        /** An INFORMATION-REQUEST that asks for addresses. */
        IA_IN_INFORMATION_REQUEST;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
