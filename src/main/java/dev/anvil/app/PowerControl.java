package dev.anvil.app;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.node.Node;
import dev.anvil.core.power.Bmc;
import dev.anvil.core.power.BmcAccess;
import dev.anvil.core.power.BmcDraft;
import dev.anvil.core.power.BootDevice;
import dev.anvil.core.power.NodePower;
import dev.anvil.core.power.OffMode;
import dev.anvil.core.power.PowerAction;
import dev.anvil.core.power.PowerDriver;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerReading;
import dev.anvil.core.power.PowerResult;
import dev.anvil.core.power.PowerState;
import dev.anvil.core.power.Secret;
import dev.anvil.core.power.SecretCipher;
import dev.anvil.core.power.SecretRef;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.core.timeline.TimelineEvent.Source;
import dev.anvil.store.BmcStore;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's BMC and power actions through it (doc/power.md): its settings with the password sealed by the {@link
 * SecretCipher} before the store sees it, opened only to hand it to the driver; every action logged in one INFO
 * line (node, action, outcome; never the password). What each node's BMC last said (state or error) is kept in
 * memory ({@link #reading}) and each change of it goes on the node's timeline.
 */
public final class PowerControl implements NodePower {
    private static final Logger log = LoggerFactory.getLogger(PowerControl.class);

    private final BmcStore bmcs;
    private final SecretCipher cipher;
    private final Map<String, PowerDriver> drivers;
    private final Clock clock;
    private final Timeline timeline;
    private final Map<Long, PowerReading> readings = new ConcurrentHashMap<>();

    /** {@code timeline}: each change of a node's power reading (state or error kind) is an event on it. */
    public PowerControl(
            BmcStore bmcs, SecretCipher cipher, Map<String, PowerDriver> drivers, Clock clock, Timeline timeline) {
        this.timeline = timeline;
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
        readings.remove(node.id());
        log.info("bmc removed from node {}", node.name());
    }

    /**
     * Runs {@code action} on the node's BMC and answers the power state it reports afterwards; a BMC that fails is
     * a {@link PowerException} of a clear kind, a node without a BMC a {@link NotFoundException}.
     */
    public PowerResult act(Node node, PowerAction action) {
        long t0 = System.nanoTime();
        PowerState state = call(node, action.wireName(), (driver, access) -> {
            switch (action) {
                case ON -> driver.on(access);
                case OFF -> driver.off(access, OffMode.HARD);
                case SOFT_OFF -> driver.off(access, OffMode.SOFT);
                case CYCLE -> driver.cycle(access);
                case STATUS -> {}
            }
            PowerState s = driver.status(access);
            return new Done<>(s, s, s.wireName());
        });
        return new PowerResult(action, state, Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * Sets the device the node boots from next ({@code once}: the next boot only), then reads the power state for
     * the answer.
     */
    public PowerResult nextBoot(Node node, BootDevice device, boolean once) {
        long t0 = System.nanoTime();
        String what = "next-boot " + device.name().toLowerCase(java.util.Locale.ROOT) + (once ? " (once)" : "");
        PowerState state = call(node, what, (driver, access) -> {
            driver.setNextBoot(access, device, once);
            PowerState s = driver.status(access);
            return new Done<>(s, s, "set; " + s.wireName());
        });
        return new PowerResult(PowerAction.STATUS, state, Duration.ofNanos(System.nanoTime() - t0));
    }

    @Override
    public boolean hasBmc(Node node) {
        return bmcs.get(node.id()).isPresent();
    }

    /**
     * Next boot PXE once, then a cycle when the machine is on or power on when it is off: what install, redeploy
     * and reboot do on a node with a BMC (doc/power.md#the-lifecycle).
     */
    @Override
    public String netboot(Node node) {
        return call(node, "netboot", (driver, access) -> {
            driver.setNextBoot(access, BootDevice.PXE, true);
            PowerState before = driver.status(access);
            if (before == PowerState.ON) {
                driver.cycle(access);
            } else {
                driver.on(access);
            }
            PowerState after = driver.status(access);
            String what = "next boot pxe (once); was " + before.wireName() + ": "
                    + (before == PowerState.ON ? "cycle" : "on") + "; now " + after.wireName();
            return new Done<>(what, after, what);
        });
    }

    @Override
    public String powerOff(Node node) {
        return call(node, "off", (driver, access) -> {
            driver.off(access, OffMode.HARD);
            PowerState after = driver.status(access);
            String what = "power off; now " + after.wireName();
            return new Done<>(what, after, after.wireName());
        });
    }

    /** The poll's status call: logged at DEBUG (one line per node and round would drown the log). */
    @Override
    public PowerReading poll(Node node) {
        try {
            call(node, "poll", false, (driver, access) -> {
                PowerState s = driver.status(access);
                return new Done<>(s, s, s.wireName());
            });
        } catch (PowerException e) {
            // recorded as the node's reading by the call
        }
        return reading(node).orElseThrow();
    }

    /** What the node's BMC last said (any call: an action, a task, the poll); empty before the first. */
    public Optional<PowerReading> reading(Node node) {
        return Optional.ofNullable(readings.get(node.id()));
    }

    /** A call's answer, the state the BMC reported with it, and the words for the log. */
    private record Done<T>(T answer, PowerState state, String logged) {}

    private <T> T call(Node node, String what, java.util.function.BiFunction<PowerDriver, BmcAccess, Done<T>> body) {
        return call(node, what, true, body);
    }

    /** {@code info}: log the call at INFO (else DEBUG; a change of the reading is on the timeline either way). */
    private <T> T call(
            Node node, String what, boolean info, java.util.function.BiFunction<PowerDriver, BmcAccess, Done<T>> body) {
        BmcStore.Stored stored =
                bmcs.get(node.id()).orElseThrow(() -> new NotFoundException("node " + node.name() + " has no BMC"));
        Bmc bmc = stored.bmc();
        long t0 = System.nanoTime();
        try {
            PowerDriver driver = Optional.ofNullable(drivers.get(bmc.driver()))
                    .orElseThrow(() -> new PowerException(
                            PowerException.Kind.UNSUPPORTED, "no power driver \"" + bmc.driver() + "\""));
            Done<T> done = body.apply(driver, new BmcAccess(bmc, open(node, stored)));
            log.atLevel(info ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG)
                    .log(
                            "power {} node {} via {} {}: {} in {} ms",
                            what,
                            node.name(),
                            bmc.driver(),
                            bmc.endpoint(),
                            done.logged(),
                            (System.nanoTime() - t0) / 1_000_000);
            record(node, PowerReading.of(done.state(), clock.instant()));
            return done.answer();
        } catch (PowerException e) {
            log.atLevel(info ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG)
                    .log(
                            "power {} node {} via {} {}: {} ({}) in {} ms",
                            what,
                            node.name(),
                            bmc.driver(),
                            bmc.endpoint(),
                            e.kind().wireName(),
                            e.getMessage(),
                            (System.nanoTime() - t0) / 1_000_000);
            record(node, PowerReading.failed(reading(node).flatMap(PowerReading::state), clock.instant(), e));
            throw e;
        }
    }

    /** Keeps the reading; a change of what it says ({@code on}, {@code off}, an error kind) goes on the timeline. */
    private void record(Node node, PowerReading r) {
        PowerReading old = readings.put(node.id(), r);
        if (old == null || !old.summary().equals(r.summary())) {
            timeline.forNode(
                    node.id(),
                    Source.POWER,
                    "power " + r.summary(),
                    r.error().orElse(old == null ? "first reading" : "was " + old.summary()));
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
