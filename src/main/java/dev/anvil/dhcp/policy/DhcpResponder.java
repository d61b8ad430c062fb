package dev.anvil.dhcp.policy;

import static dev.anvil.dhcp.codec.DhcpOption.BOOTFILE_NAME;
import static dev.anvil.dhcp.codec.DhcpOption.TFTP_SERVER_NAME;

import dev.anvil.config.DhcpConfig;
import dev.anvil.core.boot.BootPlan;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.boot.ClientFacts;
import dev.anvil.core.lease.AddressBook;
import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.lease.LeaseView;
import java.time.Instant;
import java.util.Optional;

/**
 * The DHCP decision (RFC 2131 §4.3), pure: from a request, the network it belongs to, the node its MAC names
 * (if any) and a read-only view of the leases, it decides the reply and the lease change. Known nodes always
 * get their reserved address; unknown MACs get a pool address (the one they had, while it is free) and the
 * discovery boot.
 *
 * <p>Size: over 300 lines because RFC 2131's decision table (DISCOVER, REQUEST in four client states, DECLINE,
 * RELEASE, INFORM, proxyDHCP) reads best as one class.
 */
public final class DhcpResponder {
    private final DhcpConfig cfg;
    private final BootPlanner planner;

    public DhcpResponder(DhcpConfig cfg, BootPlanner planner) {
        this.cfg = cfg;
        this.planner = planner;
    }

    /** Everything the decision depends on besides the request. */
    public record Context(Network network, Ipv4Address serverId, Optional<Node> node, LeaseView leases, Instant now) {}

    public Decision respond(DhcpPacket req, Context ctx) {
        if (req.op() != DhcpPacket.BOOTREQUEST) {
            return Decision.drop("not a BOOTREQUEST");
        }
        Optional<MacAddress> mac = req.mac();
        if (mac.isEmpty()) {
            return Decision.drop("not an Ethernet client");
        }
        Optional<MessageType> type = req.options().messageType();
        if (type.isEmpty()) {
            return Decision.drop("no or unknown message type (BOOTP is not served)");
        }
        Client c = new Client(req, mac.get(), ctx);
        if (ctx.network().proxyDhcp()) {
            return type.get() == MessageType.DISCOVER
                    ? proxy(c, MessageType.OFFER)
                    : Decision.drop("proxyDHCP: " + type.get() + " is for the network's own DHCP server");
        }
        Decision d = switch (type.get()) {
            case DISCOVER -> discover(c);
            case REQUEST -> request(c);
            case DECLINE -> decline(c);
            case RELEASE -> release(c);
            case INFORM ->
                Decision.reply(
                        build(c, MessageType.INFORM, DhcpPacket.ZERO_ADDRESS),
                        MessageType.ACK,
                        Optional.empty(),
                        "inform");
            default -> Decision.drop("a server message (" + type.get() + ") sent to the server port");
        };
        // A network-boot client answered without a boot file: say why, when it is not the plan's intent. Plain
        // clients (most of the traffic) are not planned twice.
        return d.reply().isPresent()
                        && d.reply().get().file().isEmpty()
                        && !d.reply().get().options().has(BOOTFILE_NAME)
                        && facts(c).netBoot()
                ? d.withMissingLoader(plan(c).missingLoader())
                : d;
    }

    /**
     * A request to the PXE boot server port (4011): a PXE client that got its address elsewhere asks for its
     * boot file (PXE 2.1 §2.2.3). Answered with an ACK carrying the boot answer only.
     */
    public Decision respondBootServer(DhcpPacket req, Context ctx) {
        Optional<MacAddress> mac = req.mac();
        Optional<MessageType> type = req.options().messageType();
        if (req.op() != DhcpPacket.BOOTREQUEST
                || mac.isEmpty()
                || type.isEmpty()
                || (type.get() != MessageType.REQUEST && type.get() != MessageType.INFORM)) {
            return Decision.drop("not a boot server request");
        }
        return proxy(new Client(req, mac.get(), ctx), MessageType.ACK);
    }

    /**
     * A proxyDHCP answer (PXE 2.1 §2.2.2): no address, just the boot file, next server, vendor class
     * {@code PXEClient} and option 43 with discovery control 8 (take the boot file from this answer, do no
     * boot server discovery). Only PXE, HTTP-boot and iPXE clients are answered.
     */
    private Decision proxy(Client c, MessageType type) {
        DhcpOptions req = c.req.options();
        String vendor = req.vendorClass().orElse("");
        if (!vendor.startsWith("PXEClient") && !vendor.startsWith("HTTPClient") && !req.hasUserClass("iPXE")) {
            return Decision.drop("proxyDHCP answers PXE clients only");
        }
        BootPlan plan = plan(c);
        Optional<BootPlan.Loader> boot = plan.loader();
        if (boot.isEmpty()) {
            return Decision.drop("proxyDHCP: nothing to boot").withMissingLoader(plan.missingLoader());
        }
        BootPlan.Loader b = boot.get();
        DhcpOptions.Builder o = DhcpOptions.builder()
                .putByte(DhcpOption.MESSAGE_TYPE, type.code())
                .put(DhcpOption.SERVER_ID, c.ctx.serverId())
                .putText(DhcpOption.VENDOR_CLASS, b.vendorClass().orElse("PXEClient"))
                .put(DhcpOption.VENDOR_SPECIFIC, new byte[] {6, 1, 8, (byte) 255});
        String file = b.file().length() < 128 ? b.file() : "";
        if (contains(req.parameterRequestList(), BOOTFILE_NAME) || file.isEmpty()) {
            o.putText(BOOTFILE_NAME, b.file());
        }
        req.get(DhcpOption.CLIENT_UUID).ifPresent(v -> o.put(DhcpOption.CLIENT_UUID, v));
        o.orderFirst(req.parameterRequestList());
        return Decision.reply(
                DhcpPacket.reply(c.req, c.req.ciaddr(), DhcpPacket.ZERO_ADDRESS, b.nextServer(), "", file, o.build()),
                type,
                Optional.empty(),
                "proxy " + type.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The boot answer of the client's {@link BootPlan}: the planner decides, this only translates it. */
    private Optional<BootPlan.Loader> loader(Client c) {
        return planner.loader(c.ctx.node(), Optional.of(c.mac), c.ctx.serverId(), facts(c));
    }

    private BootPlan plan(Client c) {
        return planner.plan(c.ctx.node(), Optional.of(c.mac), c.ctx.serverId(), facts(c));
    }

    private static ClientFacts facts(Client c) {
        DhcpOptions o = c.req.options();
        return new ClientFacts(o.clientArch(), o.vendorClass().orElse(""), o.hasUserClass("iPXE"));
    }

    /** One request with its context, so helpers need not pass six arguments. */
    private record Client(DhcpPacket req, MacAddress mac, Context ctx) {
        /**
         * The node's reservation on this network, unless another MAC's live lease still holds it (the address
         * book's rule: the node is served from the pool meanwhile, as Kea does, and the other machine is refused at
         * its next renewal).
         */
        Optional<Ipv4Address> reserved() {
            return reservation().filter(ip -> !yielded(ip));
        }

        Optional<Ipv4Address> reservation() {
            return ctx.node().flatMap(n -> n.addressOn(ctx.network().name())).map(NodeAddress::ipv4);
        }

        boolean yielded(Ipv4Address ip) {
            return AddressBook.yields(
                    ctx.leases().at(ip), ctx.node().get().macs(), ctx.network().name(), ctx.now());
        }
    }

    private Decision discover(Client c) {
        Optional<Ipv4Address> ip = choose(c);
        if (ip.isEmpty()) {
            Optional<Ipv4Address> waiting = c.reservation().filter(c::yielded);
            return Decision.drop(
                    waiting.isPresent()
                            ? "reservation " + waiting.get() + " still leased to another MAC"
                                    + (c.ctx.network().dhcpPool().isEmpty()
                                            ? " and no DHCP pool"
                                            : " and the DHCP pool exhausted")
                            : c.ctx.network().dhcpPool().isEmpty()
                                    ? "unknown client and no DHCP pool"
                                    : "DHCP pool exhausted");
        }
        Instant holdUntil = c.ctx.now().plus(cfg.offerHold());
        if (boundTo(c, ip.get(), holdUntil)) {
            // RFC 2131 §4.3.1: a client with a binding is offered its address, and the binding stays as it is until
            // it expires or is released. Recording an offer here would demote it to a 30-second hold, after which
            // the address would go to anyone asking (every PXE ROM DISCOVERs on every boot, even one that then
            // boots from disk and never REQUESTs).
            return Decision.reply(
                    build(c, MessageType.OFFER, ip.get()), MessageType.OFFER, Optional.empty(), "offer (bound)");
        }
        Lease offer = new Lease(ip.get(), c.mac, c.ctx.network().name(), holdUntil, Lease.State.OFFERED);
        String why = c.reservation()
                .filter(c::yielded)
                .map(r -> "offer from the pool (reservation " + r + " still leased to another MAC)")
                .orElse("offer");
        return Decision.reply(build(c, MessageType.OFFER, ip.get()), MessageType.OFFER, Optional.of(offer), why);
    }

    /**
     * True if the client holds a binding (an ACTIVE lease) on this address that lasts at least until the offer
     * hold would end, so the binding itself keeps the address for the offer. A binding that ends sooner is
     * replaced by the offer's hold, which is longer: the address stays the client's either way.
     */
    private static boolean boundTo(Client c, Ipv4Address ip, Instant holdUntil) {
        Optional<Lease> l = c.ctx.leases().at(ip);
        return l.isPresent()
                && l.get().state() == Lease.State.ACTIVE
                && l.get().mac().equals(c.mac)
                && l.get().network().equals(c.ctx.network().name())
                && !l.get().expires().isBefore(holdUntil);
    }

    /** The address to offer: the reservation, else the client's last address or wish if free, else the next free. */
    private Optional<Ipv4Address> choose(Client c) {
        Optional<Ipv4Address> reserved = c.reserved();
        if (reserved.isPresent()) {
            return reserved;
        }
        Network net = c.ctx.network();
        if (net.dhcpPool().isEmpty()) {
            return Optional.empty();
        }
        Optional<Ipv4Address> last = c.ctx.leases()
                .lastOf(net.name(), c.mac)
                .filter(l -> l.state() != Lease.State.DECLINED)
                .map(Lease::ip);
        if (last.isPresent() && poolAddressFor(c, last.get())) {
            return last;
        }
        Optional<Ipv4Address> wish = c.req.options().requestedIp();
        if (wish.isPresent() && poolAddressFor(c, wish.get())) {
            return wish;
        }
        return c.ctx.leases().nextFree(net.name(), net.dhcpPool().get(), c.ctx.now());
    }

    /**
     * True if this pool address may go to this client now: in the pool, this server's to give (another instance
     * sharing the pool may hold it), and held by nobody else.
     */
    private static boolean poolAddressFor(Client c, Ipv4Address ip) {
        if (!c.ctx.network().dhcpPool().map(p -> p.contains(ip)).orElse(false)
                || !c.ctx.leases().ours(c.ctx.network().name(), ip)) {
            return false;
        }
        Optional<Lease> l = c.ctx.leases().at(ip);
        return l.isEmpty()
                || !l.get().holds(c.ctx.now())
                || (l.get().mac().equals(c.mac) && l.get().state() != Lease.State.DECLINED);
    }

    /** True if the client may have this address: its reservation, or (without one) a pool address free for it. */
    /** Whether this server knows the client: a node of its own, or a lease (in any state) of this MAC here. */
    private static boolean hasRecord(Client c, Ipv4Address ip) {
        return c.ctx.node().isPresent()
                || c.ctx.leases().lastOf(c.ctx.network().name(), c.mac).isPresent()
                || c.ctx.leases().at(ip).filter(l -> l.mac().equals(c.mac)).isPresent();
    }

    private static boolean allowed(Client c, Ipv4Address ip) {
        Optional<Ipv4Address> reserved = c.reserved();
        return reserved.isPresent() ? reserved.get().equals(ip) : poolAddressFor(c, ip);
    }

    private Decision request(Client c) {
        DhcpOptions o = c.req.options();
        Optional<Ipv4Address> sid = o.serverId();
        Optional<Ipv4Address> wanted = o.requestedIp();
        Ipv4Address ip;
        String state;
        if (sid.isPresent()) {
            if (!sid.get().equals(c.ctx.serverId())) {
                return Decision.drop("client chose another server (" + sid.get() + ")");
            }
            if (wanted.isEmpty()) {
                return nak(c, "SELECTING without a requested address");
            }
            ip = wanted.get();
            state = "selecting";
        } else if (wanted.isPresent()) {
            ip = wanted.get();
            state = "init-reboot";
        } else if (!c.req.ciaddr().equals(DhcpPacket.ZERO_ADDRESS)) {
            ip = c.req.ciaddr();
            state = c.req.broadcastFlag() ? "rebinding" : "renewing";
        } else {
            return Decision.drop("REQUEST names no address");
        }
        if (!c.ctx.network().cidr().contains(ip)) {
            return nak(c, ip + " is not on network " + c.ctx.network().name() + " (" + state + ")");
        }
        if (state.equals("init-reboot") && !cfg.authoritative() && !hasRecord(c, ip)) {
            // RFC 2131 4.3.2: a server with no record of an INIT-REBOOT client stays silent; it may be another
            // server's client on the same wire.
            return Decision.drop("init-reboot from a client with no record here (silent, RFC 2131 4.3.2)");
        }
        if (c.reserved().isEmpty() && !c.ctx.leases().ours(c.ctx.network().name(), ip)) {
            // Another instance sharing the pool holds the address (doc/scale-out.md): it answers for it.
            return Decision.drop(ip + " is held by another instance (" + state + ")");
        }
        if (!allowed(c, ip)) {
            return nak(c, ip + " is not this client's address (" + state + ")");
        }
        Lease grant =
                new Lease(ip, c.mac, c.ctx.network().name(), c.ctx.now().plus(cfg.leaseTime()), Lease.State.ACTIVE);
        return Decision.reply(build(c, MessageType.ACK, ip), MessageType.ACK, Optional.of(grant), "ack " + state);
    }

    private Decision nak(Client c, String why) {
        DhcpOptions.Builder o = DhcpOptions.builder()
                .putByte(DhcpOption.MESSAGE_TYPE, MessageType.NAK.code())
                .put(DhcpOption.SERVER_ID, c.ctx.serverId())
                .putText(DhcpOption.MESSAGE, why);
        c.req.options().get(DhcpOption.RELAY_AGENT_INFO).ifPresent(v -> o.put(DhcpOption.RELAY_AGENT_INFO, v));
        // RFC 2131 §4.3.2: a NAK through a relay asks it to broadcast.
        DhcpPacket p = DhcpPacket.reply(
                        c.req,
                        DhcpPacket.ZERO_ADDRESS,
                        DhcpPacket.ZERO_ADDRESS,
                        DhcpPacket.ZERO_ADDRESS,
                        "",
                        "",
                        o.build())
                .withBroadcastFlag(!c.req.giaddr().equals(DhcpPacket.ZERO_ADDRESS));
        return Decision.reply(p, MessageType.NAK, Optional.empty(), "nak: " + why);
    }

    private Decision decline(Client c) {
        Optional<Ipv4Address> ip = c.req.options().requestedIp();
        if (c.req.options().serverId().map(s -> !s.equals(c.ctx.serverId())).orElse(false) || ip.isEmpty()) {
            return Decision.drop("DECLINE not for this server");
        }
        Optional<Lease> l = c.ctx.leases().at(ip.get());
        if (l.isEmpty() || !l.get().mac().equals(c.mac)) {
            return Decision.drop("DECLINE of an address the client does not hold");
        }
        // Quarantine: someone else answers on this address (RFC 2131 §4.3.3).
        return Decision.record(
                new Lease(
                        ip.get(),
                        c.mac,
                        c.ctx.network().name(),
                        c.ctx.now().plus(cfg.leaseTime()),
                        Lease.State.DECLINED),
                "decline " + ip.get());
    }

    private Decision release(Client c) {
        Ipv4Address ip = c.req.ciaddr();
        Optional<Lease> l = c.ctx.leases().at(ip);
        if (l.isEmpty() || !l.get().mac().equals(c.mac) || l.get().state() != Lease.State.ACTIVE) {
            return Decision.drop("RELEASE of an address the client does not hold");
        }
        return Decision.record(
                new Lease(ip, c.mac, l.get().network(), c.ctx.now(), Lease.State.RELEASED), "release " + ip);
    }

    /** An OFFER, ACK or INFORM-ACK with the network's options and the boot answer, in the client's order. */
    private DhcpPacket build(Client c, MessageType type, Ipv4Address yiaddr) {
        Network net = c.ctx.network();
        DhcpOptions req = c.req.options();
        DhcpOptions.Builder o = DhcpOptions.builder()
                .putByte(DhcpOption.MESSAGE_TYPE, (type == MessageType.INFORM ? MessageType.ACK : type).code())
                .put(DhcpOption.SERVER_ID, c.ctx.serverId());
        if (type != MessageType.INFORM) {
            long secs = cfg.leaseTime().toSeconds();
            o.putInt(DhcpOption.LEASE_TIME, secs)
                    .putInt(DhcpOption.RENEWAL_TIME, secs / 2)
                    .putInt(DhcpOption.REBINDING_TIME, secs * 7 / 8);
        }
        o.put(DhcpOption.SUBNET_MASK, net.cidr().netmask());
        net.router().ifPresent(r -> o.put(DhcpOption.ROUTER, r));
        net.serverAddress().ifPresent(s -> o.put(DhcpOption.DNS_SERVERS, s));
        o.putText(DhcpOption.DOMAIN_NAME, net.domain());
        c.ctx.node().ifPresent(n -> o.putText(DhcpOption.HOST_NAME, n.name().split("\\.", 2)[0]));
        Optional<BootPlan.Loader> boot = loader(c);
        Ipv4Address siaddr = DhcpPacket.ZERO_ADDRESS;
        String file = "";
        if (boot.isPresent()) {
            BootPlan.Loader b = boot.get();
            siaddr = b.nextServer();
            file = b.file().length() < 128 ? b.file() : "";
            b.vendorClass().ifPresent(v -> o.putText(DhcpOption.VENDOR_CLASS, v));
            int[] prl = req.parameterRequestList();
            if (contains(prl, TFTP_SERVER_NAME)) {
                o.putText(TFTP_SERVER_NAME, b.nextServer().toString());
            }
            if (contains(prl, BOOTFILE_NAME) || file.isEmpty()) {
                o.putText(BOOTFILE_NAME, b.file());
            }
            if (contains(prl, DhcpOption.IPXE_ENCAP) && req.hasUserClass("iPXE")) {
                // No ProxyDHCP here: without this iPXE waits about 3 s for one before every REQUEST.
                o.put(DhcpOption.IPXE_ENCAP, new byte[] {(byte) 176, 1, 1});
            }
        }
        req.get(DhcpOption.CLIENT_UUID).ifPresent(v -> o.put(DhcpOption.CLIENT_UUID, v));
        o.orderFirst(req.parameterRequestList());
        // RFC 3046 §2.2: option 82 is echoed unchanged, as the last option.
        req.get(DhcpOption.RELAY_AGENT_INFO).ifPresent(v -> o.put(DhcpOption.RELAY_AGENT_INFO, v));
        Ipv4Address ciaddr = type == MessageType.INFORM ? c.req.ciaddr() : DhcpPacket.ZERO_ADDRESS;
        return DhcpPacket.reply(c.req, ciaddr, yiaddr, siaddr, "", file, o.build());
    }

    private static boolean contains(int[] codes, int code) {
        for (int c : codes) {
            if (c == code) {
                return true;
            }
        }
        return false;
    }
}
