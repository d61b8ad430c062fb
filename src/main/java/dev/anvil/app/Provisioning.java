package dev.anvil.app;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.HostKey;
import dev.anvil.core.node.HostKeyMismatch;
import dev.anvil.core.node.Lifecycle;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The lifecycle on top of {@link NodeService}: registration by the discovery image, OS assignment, the
 * installer's progress, local boot, redeploy and failure. Every step sets the boot environment in the same
 * transaction as the state, so by the time anything reboots a node its next boot answer is already the new
 * one (tasks that reboot run only after the commit).
 */
public final class Provisioning {
    /** What registration did. */
    public record Registration(Node node, boolean created) {}

    private final NodeService nodes;
    private final BootEnvironments envs;
    private final String adminNetwork;
    private final String adminDomain;
    private final String namePattern;
    private final List<Consumer<Node>> onInstallPending = new ArrayList<>();
    private final List<Consumer<Node>> onRedeploy = new ArrayList<>();

    /** @param namePattern the name of a discovered machine, {@code {mac}} standing for its MAC with dashes */
    public Provisioning(
            NodeService nodes, BootEnvironments envs, String adminNetwork, String adminDomain, String namePattern) {
        this.nodes = nodes;
        this.envs = envs;
        this.adminNetwork = adminNetwork;
        this.adminDomain = adminDomain;
        this.namePattern = namePattern;
    }

    /** Called (after the commit) for every node sent to its installer: the task queue reboots it. */
    public void onInstallPending(Consumer<Node> listener) {
        onInstallPending.add(listener);
    }

    /** Called (after the commit) for every node sent back to discovery: a node with a BMC is restarted into it. */
    public void onRedeploy(Consumer<Node> listener) {
        onRedeploy.add(listener);
    }

    /**
     * Registers a machine the discovery image reports: matched by any of its MACs (several NICs are one
     * node), created when none matches (name from the pattern, no reserved address: until it is admitted it
     * lives on the dynamic pool, so MACs made up on the boot network cannot use up the static range), its
     * inventory stored and discovered, in one transaction.
     * A known node that is discovering (or failed) becomes discovered, its inventory and the NICs it had not
     * reported (unless another node owns them) stored in the same transaction; in other states only the
     * inventory and the NICs change.
     */
    public Registration discover(MacAddress bootMac, List<MacAddress> macs, String inventoryJson) {
        List<MacAddress> all = new ArrayList<>();
        all.add(bootMac);
        macs.stream().filter(m -> !all.contains(m)).forEach(all::add);
        Optional<Node> known = Optional.empty();
        for (MacAddress m : all) {
            known = nodes.findByMac(m);
            if (known.isPresent()) {
                break;
            }
        }
        Node node;
        if (known.isEmpty()) {
            String name = namePattern.replace("{mac}", bootMac.format('-')) + "." + adminDomain;
            Map<String, Optional<Ipv4Address>> addrs = new LinkedHashMap<>();
            try {
                // Created, its inventory stored and discovered in one transaction (one commit, one sync).
                Node made = nodes.createActing(
                        new NodeDraft(
                                name,
                                all,
                                addrs,
                                BootEnvironments.DISCOVERY,
                                Optional.empty(),
                                true,
                                NodeState.DISCOVERING,
                                "discovery"),
                        Optional.of(inventoryJson),
                        Lifecycle.Action.DISCOVER,
                        "discovery",
                        Optional.of("registered from " + bootMac),
                        n -> NodeChange.none().withBootEnv(BootEnvironments.DISCOVERY));
                return new Registration(made, true);
            } catch (ConflictException race) {
                // Registered concurrently (the image retried): use the node the other request made.
                node = nodes.findByMac(bootMac).orElseThrow(() -> race);
            }
        } else {
            node = known.get();
        }
        // NICs the node did not report before join it, unless another node owns them.
        List<MacAddress> unowned = new ArrayList<>();
        for (MacAddress m : all) {
            if (!node.macs().contains(m) && nodes.findByMac(m).isEmpty()) {
                unowned.add(m);
            }
        }
        if (Lifecycle.legalFrom(Lifecycle.Action.DISCOVER).contains(node.state())) {
            // The new NICs, the inventory and the discovery in one transaction (one commit, one sync).
            node = nodes.act(
                    node.name(),
                    Optional.of(inventoryJson),
                    Lifecycle.Action.DISCOVER,
                    "discovery",
                    Optional.of("registered from " + bootMac),
                    n -> joined(NodeChange.none().withBootEnv(BootEnvironments.DISCOVERY), n, unowned),
                    n -> {});
        } else {
            if (!unowned.isEmpty()) {
                node = nodes.update(node.name(), joined(NodeChange.none(), node, unowned));
            }
            nodes.putInventory(node, inventoryJson);
        }
        return new Registration(node, false);
    }

    /** {@code change} plus the node's MACs (as read on its locked row) with the unowned ones it reported. */
    private static NodeChange joined(NodeChange change, Node n, List<MacAddress> unowned) {
        List<MacAddress> merged = new ArrayList<>(n.macs());
        for (MacAddress m : unowned) {
            if (!merged.contains(m)) {
                merged.add(m);
            }
        }
        return merged.size() > n.macs().size() ? change.withMacs(merged) : change;
    }

    /**
     * Assigns an OS: the node's next boot is its installer (which makes new host keys: the pinned ones go). This
     * admits a discovered machine: it gets its reserved address on the admin network in the same transaction.
     */
    public Node install(String name, String os, String actor) {
        BootEnvironment env = envs.installerFor(os)
                .orElseThrow(() -> new InvalidInputException(
                        "os",
                        "no installer boot environment for \"" + os + "\" (known: "
                                + String.join(", ", envs.installableOses()) + ")"));
        Node n = nodes.act(
                name,
                Lifecycle.Action.INSTALL,
                actor,
                Optional.of("install " + os),
                before -> NodeChange.none()
                        .withBootEnv(env.name())
                        .withTargetOs(Optional.of(os))
                        .withHostKeys(List.of())
                        .withReservationOn(adminNetwork),
                before -> {});
        onInstallPending.forEach(l -> l.accept(n));
        return n;
    }

    /** The installer reported its start (only a node waiting for its installer moves). */
    public Node installerStarted(Node node) {
        if (node.state() != NodeState.INSTALL_PENDING) {
            return node;
        }
        try {
            return nodes.act(
                    node.name(),
                    Lifecycle.Action.INSTALLER_STARTED,
                    "installer",
                    Optional.of("the installer reported its start"),
                    n -> NodeChange.none(),
                    n -> {});
        } catch (ConflictException raced) {
            return nodes.get(node.name()).orElse(node);
        }
    }

    /** The installer's callback without host keys. */
    public Node installComplete(String name, Predicate<Node> tokenCheck, Runnable refused) {
        return installComplete(name, List.of(), tokenCheck, refused);
    }

    /**
     * The installer's callback; {@code tokenCheck} runs on the locked node and throws to refuse. The host keys
     * the installed system reported are pinned in the same transaction (none: the node's host key is not pinned).
     */
    public Node installComplete(String name, List<HostKey> hostKeys, Predicate<Node> tokenCheck, Runnable refused) {
        return nodes.act(
                name,
                Lifecycle.Action.INSTALL_COMPLETE,
                "installer",
                Optional.of("install-complete callback, host keys: " + HostKey.summary(hostKeys)),
                n -> NodeChange.none().withBootEnv(BootEnvironments.LOCAL).withHostKeys(hostKeys),
                n -> {
                    if (!tokenCheck.test(n)) {
                        refused.run();
                    }
                });
    }

    /** The installed node answered from its disk ({@code actor}: the aliveness check, or the node itself). */
    public Node booted(Node node, String actor, String how) {
        return nodes.act(
                node.name(), Lifecycle.Action.BOOTED, actor, Optional.of(how), n -> NodeChange.none(), n -> {});
    }

    /**
     * Records whether the node is alive (from the aliveness check or the node's own report); an installed
     * node that is alive has booted from its disk and becomes ready.
     */
    public Node alive(Node node, boolean alive, String actor, String how) {
        Node now = nodes.get(node.name()).orElse(node);
        if (now.alive() != alive) {
            now = nodes.update(now.name(), NodeChange.none().withAlive(alive));
        }
        if (alive && now.state() == NodeState.INSTALLED) {
            try {
                now = booted(now, actor, how);
            } catch (ConflictException raced) {
                // it moved on meanwhile
            }
        }
        return now;
    }

    public Node redeploy(String name, String actor) {
        Node done = nodes.act(
                name,
                Lifecycle.Action.REDEPLOY,
                actor,
                Optional.of("redeploy"),
                n -> NodeChange.none()
                        .withBootEnv(BootEnvironments.DISCOVERY)
                        .withTargetOs(Optional.empty())
                        .withHostKeys(List.of()),
                x -> {});
        onRedeploy.forEach(l -> l.accept(done));
        return done;
    }

    /**
     * The node's SSH server presented a host key that is not pinned: the login was refused. The node is flagged
     * (and is not alive), with a history entry the first time this key (or offer) is seen.
     */
    public Node hostKeyMismatch(Node node, HostKeyMismatch seen) {
        Node now = nodes.get(node.name()).orElse(node);
        if (now.hostKeyMismatch().map(seen::sameAs).orElse(false)) {
            return now;
        }
        return nodes.note(
                now.name(),
                "host-key-mismatch",
                "ssh",
                seen.describe() + "; pinned: " + HostKey.summary(now.hostKeys()),
                NodeChange.none().withHostKeyMismatch(Optional.of(seen)).withAlive(false));
    }

    /** The node's SSH server presented a pinned host key again: the mismatch flag goes (the history keeps it). */
    public Node hostKeyVerified(Node node) {
        Node now = nodes.get(node.name()).orElse(node);
        if (now.hostKeyMismatch().isEmpty()) {
            return now;
        }
        return nodes.note(
                now.name(),
                "host-key-verified",
                "ssh",
                "presented a pinned host key again",
                NodeChange.none().withHostKeyMismatch(Optional.empty()));
    }

    public Node fail(String name, String actor, String reason) {
        return nodes.act(name, Lifecycle.Action.FAIL, actor, Optional.of(reason), n -> NodeChange.none(), n -> {});
    }

    /** What the discovery image running on the node should do now. */
    public static String plannedAction(Node node) {
        return node.bootEnv().equals(BootEnvironments.DISCOVERY) ? "wait" : "reboot";
    }
}
