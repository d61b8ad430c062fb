package dev.anvil.core.node;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where a node stands in its provisioning life. */
public enum NodeState {
    /** Known (by MAC or by an operator) and booting the discovery image. */
    DISCOVERING,
    /** Registered with an inventory; waiting for an OS. */
    DISCOVERED,
    /** An OS is assigned and its installer boot environment set; waiting for the node to boot it. */
    INSTALL_PENDING,
    /** The installer is running. */
    INSTALLING,
    /** The installer reported completion; the node boots from its disk. */
    INSTALLED,
    /** Installed, booted from disk and alive. */
    READY,
    /** Something went wrong; the reason is in the history. */
    FAILED;

    /** The wire name: lowercase with hyphens, e.g. {@code install-pending}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<NodeState> fromWireName(String text) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(text)).findFirst();
    }
}
