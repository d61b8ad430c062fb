package dev.anvil.app;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.node.Node;
import dev.anvil.core.power.Bmc;
import dev.anvil.core.power.BmcAccess;
import dev.anvil.core.power.BmcDraft;
import dev.anvil.core.power.OffMode;
import dev.anvil.core.power.PowerAction;
import dev.anvil.core.power.PowerDriver;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerResult;
import dev.anvil.core.power.PowerState;
import dev.anvil.core.power.Secret;
import dev.anvil.core.power.SecretCipher;
import dev.anvil.core.power.SecretRef;
import dev.anvil.store.BmcStore;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's BMC and power actions through it (doc/power.md): its settings with the password sealed by the {@link
 * SecretCipher} before the store sees it, opened only to hand it to the driver; every action logged in one INFO
 * line (node, action, outcome; never the password).
 */
public final class PowerControl {
    private static final Logger log = LoggerFactory.getLogger(PowerControl.class);

    private final BmcStore bmcs;
    private final SecretCipher cipher;
    private final Map<String, PowerDriver> drivers;
    private final Clock clock;

    public PowerControl(BmcStore bmcs, SecretCipher cipher, Map<String, PowerDriver> drivers, Clock clock) {
        this.bmcs = bmcs;
        this.cipher = cipher;
        this.drivers = Map.copyOf(drivers);
        this.clock = clock;
    }

    /** The node's BMC settings (the password only as its reference). */
    public Optional<Bmc> bmc(Node node) {
        return bmcs.get(node.id()).map(BmcStore.Stored::bmc);
    }

    /**
     * Sets the node's BMC from {@code draft} (checked: every field at fault named); without a password the stored
     * one is kept, and a node without one must send it.
     */
    public Bmc setBmc(Node node, BmcDraft draft) {
        BmcDraft.Checked c = draft.validate();
        Optional<BmcStore.Stored> old = bmcs.get(node.id());
        BmcStore.Stored stored;
        if (c.password().isPresent()) {
            Secret s = c.password().get();
            stored = new BmcStore.Stored(
                    // to the millisecond: what the store keeps, so the answer to this PUT is what a GET answers
                    c.withSecret(new SecretRef(cipher.keyId(), clock.instant().truncatedTo(ChronoUnit.MILLIS))),
                    cipher.seal(s, context(node)));
        } else if (old.isPresent()) {
            stored = new BmcStore.Stored(
                    c.withSecret(old.get().bmc().secret()), old.get().sealedSecret());
        } else {
            throw new dev.anvil.core.InvalidInputException("password", "required: the node has no BMC password yet");
        }
        bmcs.put(node.id(), stored);
        log.info(
                "bmc set for node {}: {} {} user {}{}",
                node.name(),
                stored.bmc().driver(),
                stored.bmc().endpoint(),
                stored.bmc().user(),
                c.password().isPresent() ? ", new password" : "");
        return stored.bmc();
    }

    /** Removes the node's BMC; a node without one is a {@link NotFoundException}. */
    public void removeBmc(Node node) {
        if (!bmcs.delete(node.id())) {
            throw new NotFoundException("node " + node.name() + " has no BMC");
        }
        log.info("bmc removed from node {}", node.name());
    }

    /**
     * Runs {@code action} on the node's BMC and answers the power state it reports afterwards; a BMC that fails is
     * a {@link PowerException} of a clear kind, a node without a BMC a {@link NotFoundException}.
     */
    public PowerResult act(Node node, PowerAction action) {
        BmcStore.Stored stored =
                bmcs.get(node.id()).orElseThrow(() -> new NotFoundException("node " + node.name() + " has no BMC"));
        Bmc bmc = stored.bmc();
        long t0 = System.nanoTime();
        try {
            PowerDriver driver = Optional.ofNullable(drivers.get(bmc.driver()))
                    .orElseThrow(() -> new PowerException(
                            PowerException.Kind.UNSUPPORTED, "no power driver \"" + bmc.driver() + "\""));
            BmcAccess access = new BmcAccess(bmc, open(node, stored));
            switch (action) {
                case ON -> driver.on(access);
                case OFF -> driver.off(access, OffMode.HARD);
                case SOFT_OFF -> driver.off(access, OffMode.SOFT);
                case CYCLE -> driver.cycle(access);
                case STATUS -> {}
            }
            PowerState state = driver.status(access);
            PowerResult r = new PowerResult(action, state, Duration.ofNanos(System.nanoTime() - t0));
            log.info(
                    "power {} node {} via {} {}: {} in {} ms",
                    action.wireName(),
                    node.name(),
                    bmc.driver(),
                    bmc.endpoint(),
                    state.wireName(),
                    r.took().toMillis());
            return r;
        } catch (PowerException e) {
            log.info(
                    "power {} node {} via {} {}: {} ({}) in {} ms",
                    action.wireName(),
                    node.name(),
                    bmc.driver(),
                    bmc.endpoint(),
                    e.kind().wireName(),
                    e.getMessage(),
                    (System.nanoTime() - t0) / 1_000_000);
            throw e;
        }
    }

    private Secret open(Node node, BmcStore.Stored stored) {
        try {
            return cipher.open(stored.sealedSecret(), context(node));
        } catch (IllegalStateException e) {
            throw new PowerException(
                    PowerException.Kind.FAILED,
                    "the stored BMC password of node " + node.name() + " does not open (" + e.getMessage()
                            + "): set it again");
        }
    }

    /** What a sealed password is bound to: its node. */
    static String context(Node node) {
        return "node_bmc:" + node.id();
    }
}
