package dev.anvil.app;

import dev.anvil.core.ConflictException;
import dev.anvil.core.net.Network;
import dev.anvil.store.MetaStore;
import dev.anvil.store.NetworkStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration's networks into the store, at every start. The store also holds networks created through
 * the API, which the configuration never lists; so each network a configuration brought is marked in the meta
 * table ({@code config-network:<name>}), and a marked network the configuration no longer lists was removed from
 * it: deleted from the store when no node holds an address on it (logged), else the start is refused, naming each
 * such network and how many nodes use it (deleting it would strand them; keeping it would serve a network the
 * operator removed). A store from before these marks has none, so a network removed before is not noticed.
 */
public final class ConfiguredNetworks {
    private static final Logger log = LoggerFactory.getLogger(ConfiguredNetworks.class);
    static final String MARK = "config-network:";

    private ConfiguredNetworks() {}

    /**
     * Creates or updates every configured network (an update that would strand a node's address is refused by the
     * store), after deleting the ones the configuration dropped; refuses ({@link ConflictException} on
     * {@code networks}) when a dropped one is still in use or a configured one overlaps one created through the
     * API, before anything changed.
     */
    public static void apply(List<Network> configured, NetworkStore networks, MetaStore meta) {
        Set<String> names = configured.stream().map(Network::name).collect(Collectors.toSet());
        List<String> unused = new ArrayList<>();
        List<String> used = new ArrayList<>();
        List<String> overlapping = new ArrayList<>();
        for (Network n : networks.list()) {
            if (names.contains(n.name())) {
                continue;
            }
            if (meta.get(MARK + n.name()).isEmpty()) { // created through the API: kept, so it must not overlap
                configured.stream()
                        .filter(c -> c.cidr().overlaps(n.cidr()))
                        .forEach(c -> overlapping.add("\"" + c.name() + "\" (" + c.cidr() + ") overlaps \"" + n.name()
                                + "\" (" + n.cidr() + ")"));
                continue;
            }
            int nodes = networks.countNodes(n.name());
            if (nodes == 0) {
                unused.add(n.name());
            } else {
                used.add("\"" + n.name() + "\" (" + n.cidr() + "): " + nodes + " node(s) hold addresses on it");
            }
        }
        if (!overlapping.isEmpty()) {
            throw new ConflictException(
                    "networks",
                    "configured networks overlap networks created through the API: " + String.join("; ", overlapping)
                            + ". Delete those through the API or change the configuration");
        }
        if (!used.isEmpty()) {
            throw new ConflictException(
                    "networks",
                    "removed from the configuration but still in use: "
                            + String.join("; ", used)
                            + ". Put the network back, move or delete those nodes through the API, "
                            + "then remove it again");
        }
        for (String name : unused) {
            networks.delete(name);
            meta.remove(MARK + name);
            log.info("network {} was removed from the configuration and no node used it: deleted from the store", name);
        }
        for (Network n : configured) {
            networks.put(n);
            meta.getOrInit(MARK + n.name(), () -> "1");
        }
    }
}
