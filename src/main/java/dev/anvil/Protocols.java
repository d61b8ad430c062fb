package dev.anvil;

import dev.anvil.app.DnsRecords;
import dev.anvil.app.InstallTokens;
import dev.anvil.auth.InstallTokenKey;
import dev.anvil.config.AnvilConfig;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.lease.Lease;
import dev.anvil.dhcp.policy.DhcpResponder;
import dev.anvil.dhcp.server.DhcpServer;
import dev.anvil.dns.server.DnsServer;
import dev.anvil.dns.server.DnsZones;
import dev.anvil.dns.server.ForwardScope;
import dev.anvil.os.OsTrees;
import dev.anvil.ra.RaPlan;
import dev.anvil.ra.RadvdSupervisor;
import dev.anvil.render.BootConfigs;
import dev.anvil.render.InstallFiles;
import dev.anvil.render.Templates;
import dev.anvil.tasks.JschShell;
import dev.anvil.tftp.server.TftpFiles;
import dev.anvil.tftp.server.TftpServer;
import dev.anvil.timeline.TimelineRecorder;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Wiring of the packet services (DHCP, TFTP, DNS, router advertisements through radvd, each only when enabled)
 * and of what they and the HTTP listeners render from one {@link BootPlanner}: boot configurations, install
 * files and their tokens. Built by {@link Anvild}; nothing here starts until its services do.
 *
 * @param timeline the boot timeline's recorder (a service), which the packet services report to
 * @param networkChanged what must follow a network created, changed or deleted through the API
 */
record Protocols(
        Optional<DhcpServer> dhcp,
        Optional<TftpServer> tftp,
        Optional<DnsServer> dns,
        Optional<dev.anvil.dhcp6.server.Dhcp6Server> dhcp6,
        DnsRecords records,
        InstallTokens tokens,
        BootConfigs bootConfigs,
        InstallFiles installFiles,
        TimelineRecorder timeline,
        Optional<RadvdSupervisor> ra,
        Runnable networkChanged) {

    static Protocols build(AnvilConfig config, Clock clock, RandomGenerator random, Foundation b) {
        BootPlanner planner = new BootPlanner(
                config.bootEnvironments(),
                config.dhcp().loaders(),
                config.http().listen().port());
        Optional<DhcpServer> dhcp = !config.dhcp().enabled()
                ? Optional.empty()
                : b.earlyServer()
                        .or(() -> Optional.of(new DhcpServer(
                                config.dhcp(),
                                b.catalog,
                                b.directory,
                                new DhcpResponder(config.dhcp(), planner),
                                b.leases,
                                clock)));
        // The boot timeline: DHCP, TFTP, HTTP, the lifecycle and the tasks report to it; an address is a node's by
        // its reservation, else by the DHCP lease on it (asked on the recorder's writer thread only).
        TimelineRecorder timeline = new TimelineRecorder(
                b.store.timeline(),
                config.timeline(),
                b.directory,
                ip -> dhcp.flatMap(d -> d.leaseAt(ip))
                        .filter(l -> l.holds(clock.instant()))
                        .map(Lease::mac),
                ip6 -> b.directory.byIpv6(ip6, b.addressing, b.catalog.all()),
                clock,
                java.time.Duration.ofSeconds(3));
        dhcp.ifPresent(d -> d.timeline(timeline));
        b.events.subscribe(timeline);
        Runnable refreshCatalog =
                () -> b.catalog.refresh(() -> b.store.networks().list());
        Runnable networkChanged = refreshCatalog;
        DnsRecords records = new DnsRecords(b.store.dnsRecords(), b.store.nodes(), b.catalog);
        Optional<DnsServer> dns = Optional.empty();
        if (config.dns().enabled()) {
            DnsZones zones = new DnsZones(
                    b.catalog,
                    config.adminNetwork(),
                    b.directory,
                    b.addressing,
                    config.dns(),
                    clock,
                    b.store.dnsRecords()::list);
            b.events.subscribe(zones);
            records.subscribe(zones::recordChanged);
            networkChanged = () -> {
                refreshCatalog.run();
                zones.rebuild();
            };
            dns = Optional.of(
                    new DnsServer(config.dns(), zones, ForwardScope.of(config.dns(), b.catalog, b.addressing)));
        }
        Templates templates = new Templates(config.install().templatesDir());
        // grub/grub.cfg is rendered for the client that asks, known by a node's reservation or its lease
        BootConfigs bootConfigs = new BootConfigs(
                templates,
                b.directory,
                b.catalog,
                planner,
                b.addressing,
                ip -> dhcp.flatMap(d -> d.leaseAt(ip))
                        .filter(l -> l.holds(clock.instant()))
                        .map(Lease::mac));
        InstallTokens tokens = new InstallTokens(
                b.store.installTokens(),
                InstallTokenKey.load(b.store.meta(), config.stateDir(), () -> InstallTokens.newKey(random)),
                clock,
                config.install().tokenTtl(),
                random);
        b.events.subscribe(tokens.armingOn(config.bootEnvironments()));
        InstallFiles installFiles = new InstallFiles(
                templates,
                b.catalog,
                config.bootEnvironments(),
                b.addressing,
                config.install(),
                tokens,
                config.stateDir().resolve("ssh").resolve(JschShell.KEY_FILE + ".pub"),
                config.http().listen().port(),
                os -> OsTrees.unsigned(config.http().installRootIn(config.stateDir()), os));
        Optional<TftpServer> tftp = !config.tftp().enabled()
                ? Optional.empty()
                : Optional.of(new TftpServer(
                        config.tftp(),
                        new TftpFiles(
                                config.tftp().rootIn(config.stateDir()),
                                bootConfigs,
                                config.tftp().uploadDirs(),
                                // Secure Boot: signed GRUB reads installers over TFTP only (doc/secure-boot.md)
                                config.dhcp().secureBoot()
                                        ? java.util.Map.of(
                                                "install", config.http().installRootIn(config.stateDir()))
                                        : java.util.Map.of()),
                        timeline));
        Optional<dev.anvil.dhcp6.server.Dhcp6Server> dhcp6 = !config.dhcp6().active(config.dhcp(), config.networks())
                ? Optional.empty()
                : Optional.of(new dev.anvil.dhcp6.server.Dhcp6Server(
                        config.dhcp6(),
                        config.dhcp6().interfaces(config.dhcp()),
                        b.catalog,
                        b.addressing,
                        new dev.anvil.dhcp6.policy.Dhcp6Responder(
                                serverDuid(config.stateDir(), random),
                                b.directory::byMac,
                                b.addressing,
                                planner,
                                config.dhcp6().preferredLifetime(),
                                config.dhcp6().validLifetime())));
        dhcp6.ifPresent(d -> d.timeline(timeline));
        Optional<RadvdSupervisor> ra = !config.ra().active(config.dhcp(), config.networks())
                ? Optional.empty()
                : Optional.of(new RadvdSupervisor(
                        config.ra(),
                        config.stateDir(),
                        RaPlan.live(
                                b.catalog::all,
                                b.addressing,
                                config.ra(),
                                config.dns(),
                                config.dhcp().interfaces())));
        Runnable changed = networkChanged;
        Runnable withRa = ra.<Runnable>map(r -> () -> {
                    changed.run();
                    r.reload();
                })
                .orElse(changed);
        return new Protocols(dhcp, tftp, dns, dhcp6, records, tokens, bootConfigs, installFiles, timeline, ra, withRa);
    }

    /**
     * This server's DHCPv6 DUID: a DUID-UUID made once and kept in {@code <stateDir>/dhcp6.duid} (hex), so that
     * clients see the same server after a restart (RFC 8415 §11: a server's DUID must not change).
     */
    static dev.anvil.dhcp6.codec.Duid serverDuid(java.nio.file.Path stateDir, RandomGenerator random) {
        java.nio.file.Path f = stateDir.resolve("dhcp6.duid");
        try {
            if (java.nio.file.Files.exists(f)) {
                String hex = java.nio.file.Files.readString(f).trim();
                try {
                    return dev.anvil.dhcp6.codec.Duid.of(dev.anvil.dhcp6.codec.Octets.ofHex(hex));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(f + " does not hold a DUID (" + e.getMessage()
                            + "): remove it to have a new one made, and clients will see a new server");
                }
            }
            dev.anvil.dhcp6.codec.Duid d = dev.anvil.dhcp6.codec.Duid.uuid(new java.util.UUID(
                    random.nextLong() & ~0xf000L | 0x4000L, random.nextLong() & ~(3L << 62) | 1L << 63));
            java.nio.file.Files.createDirectories(stateDir);
            java.nio.file.Path tmp = stateDir.resolve("dhcp6.duid.tmp");
            java.nio.file.Files.writeString(tmp, d.raw().hex() + "\n");
            java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return d;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read or write " + f, e);
        }
    }

    /** The DHCP server's current leases (none when DHCP is off). */
    List<Lease> leases() {
        return dhcp.map(DhcpServer::leases).orElse(List.of());
    }
}
