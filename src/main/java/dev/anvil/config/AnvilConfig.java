package dev.anvil.config;

import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.net.Network;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole configuration, validated once at start-up and immutable afterwards.
 *
 * @param stateDir where the H2 database (the default store) and other durable state live
 * @param store the embedded H2 store or a PostgreSQL database
 * @param adminNetwork the network nodes join when a request names none; Anvil's own management network
 * @param networks networks declared in the file; created in the store at start-up, updated when changed
 * @param ra IPv6 router advertisements (radvd, supervised)
 */
public record AnvilConfig(
        Path stateDir,
        StoreConfig store,
        ApiConfig api,
        HttpConfig http,
        DhcpConfig dhcp,
        TftpConfig tftp,
        DnsConfig dns,
        InstallConfig install,
        LifecycleConfig lifecycle,
        DiscoveryConfig discovery,
        TimelineConfig timeline,
        Dhcp6Config dhcp6,
        RaConfig ra,
        String adminNetwork,
        List<Network> networks,
        BootEnvironments bootEnvironments) {

    public AnvilConfig {
        networks = List.copyOf(networks);
    }

    public AnvilConfig withApiListen(HostPort listen) {
        return new AnvilConfig(
                stateDir,
                store,
                api.withListen(listen),
                http,
                dhcp,
                tftp,
                dns,
                install,
                lifecycle,
                discovery,
                timeline,
                dhcp6,
                ra,
                adminNetwork,
                networks,
                bootEnvironments);
    }

    public AnvilConfig withStateDir(Path dir) {
        return new AnvilConfig(
                dir,
                store,
                api,
                http,
                dhcp,
                tftp,
                dns,
                install,
                lifecycle,
                discovery,
                timeline,
                dhcp6,
                ra,
                adminNetwork,
                networks,
                bootEnvironments);
    }

    public AnvilConfig withDhcp(DhcpConfig d) {
        return new AnvilConfig(
                stateDir,
                store,
                api,
                http,
                d,
                tftp,
                dns,
                install,
                lifecycle,
                discovery,
                timeline,
                dhcp6,
                ra,
                adminNetwork,
                networks,
                bootEnvironments);
    }

    public AnvilConfig withHttpListen(HostPort listen) {
        return new AnvilConfig(
                stateDir,
                store,
                api,
                http.withListen(listen),
                dhcp,
                tftp,
                dns,
                install,
                lifecycle,
                discovery,
                timeline,
                dhcp6,
                ra,
                adminNetwork,
                networks,
                bootEnvironments);
    }
}
