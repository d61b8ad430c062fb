package dev.anvil.dhcp6.policy;

import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.boot.ClientFacts;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.dhcp6.codec.Dhcp6Message;
import dev.anvil.dhcp6.codec.Dhcp6Option;
import dev.anvil.dhcp6.codec.Dhcp6Options;
import dev.anvil.dhcp6.codec.Duid;
import dev.anvil.dhcp6.codec.MessageType;
import dev.anvil.dhcp6.codec.Octets;
import dev.anvil.dhcp6.codec.Status;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The DHCPv6 decision (RFC 8415 §16 and §18.3), pure: a client message heard on a {@link Dhcp6Link} in, a
 * {@link Dhcp6Decision} out. No sockets, no clock, no state.
 *
 * <p>Addresses need no table: a node gets exactly its derived address (the network's /64 + the last 64 bits of
 * md5(FQDN), the one its AAAA record shows) on a network it has an address on, or on any network when it has none
 * (discovered and not admitted yet, {@link Node#holdsIpv6On}), and a machine no node has gets one from the
 * discovery pool, which
 * is the rest of the /64 hashed per client (the last 64 bits of md5 over a pool label, the DUID and the IAID,
 * as RFC 7217 does for stable addresses). Both are the same after any restart, for any number of Anvil
 * instances, and two clients meet on one address with a chance of 2^-64. Boot answers (RFC 5970) come from the
 * same {@link BootPlanner} as DHCPv4's.
 */
public final class Dhcp6Responder {
    /** The vendor class enterprise number UEFI HTTP boot puts in option 16 (and expects back), RFC 5970. */
    static final long UEFI_ENTERPRISE = 343;
    /**
     * IA_NAs answered per message, the rest ignored: a real client sends one per interface it configures, and an
     * answer to hundreds would make a spoofed SOLICIT a reply nearly three times its size.
     */
    static final int MAX_IA_NA = 8;

    /**
     * The Preference (option 7) on every ADVERTISE: 255, the highest, tells a client to take this server at once
     * instead of collecting ADVERTISEs until its first retransmission timeout (RFC 8415 §18.2.1). Anvil is the one
     * server of its segments (its RAs send clients here) and every Anvil instance gives a client the same address,
     * so there is nothing to choose between. EDK2's PXE over IPv6 (OVMF) waits out its SOLICIT timeout of about
     * 4 s otherwise (measured in the e2e: ADVERTISE to REQUEST 4.8 s without, doc/e2e.md).
     */
    static final int PREFERENCE = 255;

    private final Duid serverId;
    private final Function<MacAddress, Optional<Node>> nodes;
    private final Addressing addressing;
    private final BootPlanner planner;
    private final long preferred;
    private final long valid;

    /**
     * @param serverId this server's DUID (option 2)
     * @param nodes the node a MAC belongs to
     * @param preferred preferred lifetime of the addresses given, seconds (T1 and T2 are 0.5 and 0.8 of it)
     * @param valid valid lifetime, seconds (at least {@code preferred})
     */
    public Dhcp6Responder(
            Duid serverId,
            Function<MacAddress, Optional<Node>> nodes,
            Addressing addressing,
            BootPlanner planner,
            long preferred,
            long valid) {
        if (preferred <= 0 || valid < preferred) {
            throw new IllegalArgumentException("lifetimes must be 0 < preferred <= valid");
        }
        this.serverId = serverId;
        this.nodes = nodes;
        this.addressing = addressing;
        this.planner = planner;
        this.preferred = preferred;
        this.valid = valid;
    }

    public Duid serverId() {
        return serverId;
    }

    /**
     * Answers a client message heard on {@code link}. The client's MAC, which finds its node: {@code relayMac}
     * (what a relay gave, RFC 6939) first, else the one in its DUID (DUID-LL/LLT), else {@code linkMac} (from an
     * EUI-64 link-local source address: iPXE's DUID is a UUID of zeros and names no MAC).
     */
    public Dhcp6Decision answer(
            Dhcp6Message.Client in, Dhcp6Link link, Optional<MacAddress> relayMac, Optional<MacAddress> linkMac) {
        Dhcp6Options o = in.options();
        Optional<Duid> client = o.clientId();
        Optional<Duid> server = o.serverId();
        MessageType t = in.type();
        switch (t) {
            case ADVERTISE, REPLY, RECONFIGURE, RELAY_FORW, RELAY_REPL -> {
                return drop(Dhcp6Decision.Reason.NOT_A_CLIENT_MESSAGE);
            }
            default -> {}
        }
        if (client.isEmpty() && t != MessageType.INFORMATION_REQUEST) {
            return drop(Dhcp6Decision.Reason.NO_CLIENT_ID);
        }
        boolean needsServerId = switch (t) {
            case REQUEST, RENEW, RELEASE, DECLINE -> true;
            default -> false;
        };
        boolean forbidsServerId = t == MessageType.SOLICIT || t == MessageType.CONFIRM || t == MessageType.REBIND;
        if (needsServerId && server.isEmpty() || forbidsServerId && server.isPresent()) {
            return drop(Dhcp6Decision.Reason.BAD_SERVER_ID);
        }
        if (server.isPresent() && !server.get().equals(serverId)) {
            return drop(Dhcp6Decision.Reason.OTHER_SERVER);
        }
        if (t == MessageType.INFORMATION_REQUEST && (o.has(Dhcp6Option.IA_NA) || o.has(Dhcp6Option.IA_TA))) {
            return drop(Dhcp6Decision.Reason.IA_IN_INFORMATION_REQUEST);
        }

        Optional<MacAddress> mac = relayMac.or(() -> client.flatMap(Duid::mac)).or(() -> linkMac);
        // A node with an address on this network, or with none anywhere (discovered, not admitted yet).
        Optional<Node> node =
                mac.flatMap(nodes).filter(n -> n.holdsIpv6On(link.network().name()));
        List<Dhcp6Option> out = new ArrayList<>();
        client.ifPresent(c -> out.add(new Dhcp6Option.ClientId(c)));
        out.add(new Dhcp6Option.ServerId(serverId));
        List<Inet6Address> bound = new ArrayList<>();
        MessageType replyType = MessageType.REPLY;
        switch (t) {
            case SOLICIT -> {
                boolean rapid = o.has(Dhcp6Option.RAPID_COMMIT);
                replyType = rapid ? MessageType.REPLY : MessageType.ADVERTISE;
                if (rapid) {
                    out.add(new Dhcp6Option.RapidCommit());
                } else {
                    out.add(new Dhcp6Option.Preference(PREFERENCE));
                }
                for (Dhcp6Option.IaNa ia : o.iaNa().stream().limit(MAX_IA_NA).toList()) {
                    Inet6Address a = addressFor(link, node, client.get(), ia.iaid());
                    out.add(ia(ia.iaid(), a, List.of()));
                    if (rapid) {
                        bound.add(a);
                    }
                }
            }
            case REQUEST, RENEW, REBIND -> {
                for (Dhcp6Option.IaNa ia : o.iaNa().stream().limit(MAX_IA_NA).toList()) {
                    Inet6Address a = addressFor(link, node, client.get(), ia.iaid());
                    // Addresses the client holds that are not (or no longer) its own go back with lifetimes 0.
                    List<Dhcp6Option> old = ia.addresses().stream()
                            .filter(x -> !x.address().equals(a))
                            .map(x -> (Dhcp6Option) new Dhcp6Option.IaAddress(x.address(), 0, 0, Dhcp6Options.EMPTY))
                            .toList();
                    out.add(ia(ia.iaid(), a, old));
                    bound.add(a);
                }
            }
            case CONFIRM -> {
                List<Inet6Address> held = o.iaNa().stream()
                        .limit(MAX_IA_NA)
                        .flatMap(ia -> ia.addresses().stream())
                        .map(Dhcp6Option.IaAddress::address)
                        .toList();
                if (held.isEmpty()) {
                    return drop(Dhcp6Decision.Reason.NOTHING_TO_CONFIRM); // RFC 8415 §18.3.3: no reply
                }
                boolean on = held.stream().allMatch(link::onLink);
                out.add(new Dhcp6Option.StatusCode(
                        on ? Status.SUCCESS : Status.NOT_ON_LINK,
                        on ? "all addresses are on this link" : "not on this link"));
            }
            case RELEASE -> out.add(new Dhcp6Option.StatusCode(Status.SUCCESS, "released"));
            case DECLINE -> out.add(new Dhcp6Option.StatusCode(Status.SUCCESS, "declined"));
            default -> {} // INFORMATION-REQUEST: the options alone
        }
        Optional<String> url = Optional.empty();
        if (t != MessageType.RELEASE && t != MessageType.DECLINE) {
            url = options(o, link, node, mac, out);
        }
        return new Dhcp6Decision.Reply(
                new Dhcp6Message.Client(replyType, in.transactionId(), Dhcp6Options.of(out)),
                List.copyOf(bound),
                mac,
                node,
                url);
    }

    /** The configuration options the client asked for (ORO); returns the boot-file URL when one was sent. */
    private Optional<String> options(
            Dhcp6Options in, Dhcp6Link link, Optional<Node> node, Optional<MacAddress> mac, List<Dhcp6Option> out) {
        List<Integer> asked = in.requested();
        if (asked.contains(Dhcp6Option.DNS_SERVERS) && !link.dnsServers().isEmpty()) {
            out.add(new Dhcp6Option.DnsServers(link.dnsServers()));
        }
        if (asked.contains(Dhcp6Option.DOMAIN_LIST) && !link.domain().isEmpty()) {
            out.add(new Dhcp6Option.DomainList(List.of(link.domain())));
        }
        if (!asked.contains(Dhcp6Option.BOOTFILE_URL)) {
            return Optional.empty();
        }
        ClientFacts facts = facts(in);
        Optional<String> url = planner.bootFileUrl(node, mac, link.server(), facts);
        url.ifPresent(u -> {
            out.add(new Dhcp6Option.BootfileUrl(u));
            if (facts.httpBoot()) {
                out.add(new Dhcp6Option.VendorClass(
                        UEFI_ENTERPRISE, List.of(Octets.of("HTTPClient".getBytes(StandardCharsets.US_ASCII)))));
            }
        });
        return url;
    }

    /** What the client said about itself: architecture (61), vendor class (16), user class {@code iPXE} (15). */
    static ClientFacts facts(Dhcp6Options in) {
        Optional<Integer> arch = in.first(Dhcp6Option.ClientArchType.class)
                .flatMap(a -> a.types().stream().findFirst());
        String vendor = in.first(Dhcp6Option.VendorClass.class)
                .flatMap(v -> v.classes().stream().findFirst())
                .map(c -> new String(c.toByteArray(), StandardCharsets.US_ASCII))
                .orElse("");
        boolean ipxe = in.first(Dhcp6Option.UserClass.class)
                .map(u -> u.classes().stream()
                        .anyMatch(c -> new String(c.toByteArray(), StandardCharsets.US_ASCII).equals("iPXE")))
                .orElse(false);
        return new ClientFacts(arch, vendor, ipxe);
    }

    private Dhcp6Option.IaNa ia(long iaid, Inet6Address a, List<Dhcp6Option> old) {
        List<Dhcp6Option> addrs = new ArrayList<>();
        addrs.add(new Dhcp6Option.IaAddress(a, preferred, valid, Dhcp6Options.EMPTY));
        addrs.addAll(old);
        return new Dhcp6Option.IaNa(iaid, preferred / 2, preferred * 4 / 5, Dhcp6Options.of(addrs));
    }

    /** A node's derived address on the link, or the client's pool address. */
    Inet6Address addressFor(Dhcp6Link link, Optional<Node> node, Duid client, long iaid) {
        if (node.isPresent()) {
            return addressing.ipv6(link.network(), node.get().name()).orElseThrow();
        }
        return link.prefix().address(poolInterfaceId(client, iaid));
    }

    /** The last 64 bits of md5("anvil-dhcp6-pool" || DUID || IAID): a pool client's stable interface id. */
    static long poolInterfaceId(Duid client, long iaid) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
        md.update("anvil-dhcp6-pool".getBytes(StandardCharsets.US_ASCII));
        md.update(client.raw().toByteArray());
        md.update(new byte[] {(byte) (iaid >>> 24), (byte) (iaid >>> 16), (byte) (iaid >>> 8), (byte) iaid});
        byte[] d = md.digest();
        long id = 0;
        for (int i = 8; i < 16; i++) {
            id = (id << 8) | (d[i] & 0xff);
        }
        return id;
    }

    /** The MAC an EUI-64 interface identifier was made from (RFC 4291 appendix A), if {@code a} has one. */
    public static Optional<MacAddress> eui64Mac(Inet6Address a) {
        byte[] b = a.getAddress();
        if ((b[11] & 0xff) != 0xff || (b[12] & 0xff) != 0xfe) {
            return Optional.empty();
        }
        byte[] m = {(byte) (b[8] ^ 0x02), b[9], b[10], b[13], b[14], b[15]};
        return Optional.of(MacAddress.fromBytes(m, 0));
    }

    private static Dhcp6Decision drop(Dhcp6Decision.Reason r) {
        return new Dhcp6Decision.Drop(r);
    }
}
