package dev.anvil.core.node;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The provisioning state machine: which action moves a node from which state to which. Anything not in the
 * table is refused (the API answers 409 with the node's current state).
 *
 * <pre>
 * discovering ──discover──▶ discovered ──install──▶ install-pending ──installer-started──▶ installing
 * installing ──install-complete──▶ installed ──booted──▶ ready
 * discovering ──install──▶ install-pending (a machine an operator registered by MAC)
 * failed ──discover──▶ discovered ; failed ──install──▶ install-pending
 * any but discovering ──redeploy──▶ discovering ; any but failed ──fail──▶ failed
 * </pre>
 */
public final class Lifecycle {
    /** What can happen to a node. */
    public enum Action {
        /** The discovery image registered the machine with its inventory. */
        DISCOVER,
        /** An operator (or the auto-policy) assigned an OS: the node boots its installer next. */
        INSTALL,
        /** The installer fetched the node's answer file. */
        INSTALLER_STARTED,
        /** The installer called back with the node's token: the node boots from disk from now on. */
        INSTALL_COMPLETE,
        /** The installed node booted from its disk and answers (aliveness check). */
        BOOTED,
        /** Start over: back to the discovery image. */
        REDEPLOY,
        /** Something went wrong; the reason is recorded. */
        FAIL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Optional<Action> fromWireName(String s) {
            for (Action a : values()) {
                if (a.wireName().equals(s)) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }
    }

    private static final Map<Action, Map<NodeState, NodeState>> TABLE = new EnumMap<>(Action.class);

    static {
        NodeState[] all = NodeState.values();
        put(Action.DISCOVER, NodeState.DISCOVERED, NodeState.DISCOVERING, NodeState.DISCOVERED, NodeState.FAILED);
        put(Action.INSTALL, NodeState.INSTALL_PENDING, NodeState.DISCOVERING, NodeState.DISCOVERED, NodeState.FAILED);
        put(Action.INSTALLER_STARTED, NodeState.INSTALLING, NodeState.INSTALL_PENDING);
        // From install-pending too: an installer that never reported its start still completes.
        put(Action.INSTALL_COMPLETE, NodeState.INSTALLED, NodeState.INSTALLING, NodeState.INSTALL_PENDING);
        put(Action.BOOTED, NodeState.READY, NodeState.INSTALLED);
        for (NodeState s : all) {
            if (s != NodeState.DISCOVERING) {
                put(Action.REDEPLOY, NodeState.DISCOVERING, s);
            }
            if (s != NodeState.FAILED) {
                put(Action.FAIL, NodeState.FAILED, s);
            }
        }
    }

    private static void put(Action a, NodeState to, NodeState... from) {
        Map<NodeState, NodeState> m = TABLE.computeIfAbsent(a, k -> new EnumMap<>(NodeState.class));
        for (NodeState f : from) {
            m.put(f, to);
        }
    }

    private Lifecycle() {}

    /** The state {@code action} leads to from {@code from}, or empty when the pair is illegal. */
    public static Optional<NodeState> next(NodeState from, Action action) {
        return Optional.ofNullable(TABLE.getOrDefault(action, Map.of()).get(from));
    }

    /** The states {@code action} is legal in. */
    public static Set<NodeState> legalFrom(Action action) {
        return Collections.unmodifiableSet(TABLE.getOrDefault(action, Map.of()).keySet());
    }
}
