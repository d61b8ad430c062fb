package dev.anvil.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.InstallTokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InstallTokensTest {
    /** The store contract in memory (the H2 one is exercised by the integration tests). */
    static final class MemoryStore implements InstallTokenStore {
        final Map<Long, Armed> rows = new HashMap<>();

        @Override
        public Optional<Armed> get(long nodeId) {
            return Optional.ofNullable(rows.get(nodeId));
        }

        @Override
        public void put(long nodeId, Armed armed) {
            rows.put(nodeId, armed);
        }

        @Override
        public boolean consume(long nodeId, String nonce) {
            Armed a = rows.get(nodeId);
            return a != null && a.nonce().equals(nonce) && rows.remove(nodeId) != null;
        }
    }

    static final Node N1 = new Node(
            7,
            "n1.cluster.test",
            List.of(),
            List.of(),
            "centos-stream-9-install",
            Optional.empty(),
            false,
            true,
            NodeState.INSTALL_PENDING,
            Instant.EPOCH,
            Instant.EPOCH);
    static final Node N2 = new Node(
            8,
            "n2.cluster.test",
            List.of(),
            List.of(),
            "centos-stream-9-install",
            Optional.empty(),
            false,
            true,
            NodeState.INSTALL_PENDING,
            Instant.EPOCH,
            Instant.EPOCH);

    final MemoryStore store = new MemoryStore();
    final Instant t0 = Instant.parse("2026-11-25T00:00:00Z");
    Clock clock = Clock.fixed(t0, ZoneOffset.UTC);

    InstallTokens tokens() {
        return new InstallTokens(store, new byte[32], clock, Duration.ofHours(1), new Random(1));
    }

    @Test
    void aTokenIsStableUntilUsedAndWorksOnce() {
        InstallTokens t = tokens();
        String a = t.current(N1);
        assertEquals(43, a.length());
        assertEquals(a, t.current(N1), "rendering twice gives the same token");
        assertNotEquals(a, t.current(N2), "tokens are per node");
        assertFalse(t.consume(N2, a), "another node's token");
        assertFalse(t.consume(N1, a.substring(1) + "x"));
        assertFalse(t.consume(N1, null));
        assertTrue(t.consume(N1, a));
        assertFalse(t.consume(N1, a), "single use");
        assertFalse(store.rows.get(7L) != null, "the nonce is gone");
    }

    @Test
    void armingReplacesEarlierTokensAndTheyExpire() {
        InstallTokens t = tokens();
        String a = t.current(N1);
        String b = t.arm(N1);
        assertNotEquals(a, b);
        assertFalse(t.consume(N1, a));
        clock = Clock.fixed(t0.plus(Duration.ofHours(2)), ZoneOffset.UTC);
        InstallTokens later = tokens();
        assertFalse(later.consume(N1, b), "expired");
        assertNotEquals(b, later.current(N1), "an expired token is replaced when rendered");
    }

    /**
     * Sent to an installer through this instance, the node is armed; the same change made by another instance
     * (a remote event) arms nothing here: that instance armed it in the shared store, and a new nonce would kill
     * the token it rendered.
     */
    @Test
    void onlyThisInstancesChangesArm() {
        InstallTokens t = tokens();
        List<dev.anvil.core.boot.BootEnvironment> envs = new java.util.ArrayList<>(new dev.anvil.config.ConfigLoader()
                .embeddedDefault()
                .bootEnvironments()
                .all());
        envs.add(new dev.anvil.core.boot.BootEnvironment(
                "centos-stream-9-install",
                "the installer",
                Optional.of("centos-stream-9"),
                Optional.of("rhel"),
                Optional.of("vmlinuz"),
                Optional.of("initrd.img"),
                "",
                Optional.of("kickstart.cfg"),
                false));
        var arming = t.armingOn(new dev.anvil.core.boot.BootEnvironments(envs));
        Node before = new Node(
                7,
                "n1.cluster.test",
                List.of(),
                List.of(),
                "sledgehammer",
                Optional.empty(),
                false,
                true,
                NodeState.READY,
                Instant.EPOCH,
                Instant.EPOCH);
        var kind = dev.anvil.core.node.NodeEvent.Kind.BOOT_ENV_CHANGED;
        arming.accept(new dev.anvil.core.node.NodeEvent(1, kind, Optional.of(before), Optional.of(N1), true));
        assertTrue(store.rows.isEmpty(), "another instance's change arms nothing here");
        arming.accept(new dev.anvil.core.node.NodeEvent(2, kind, Optional.of(before), Optional.of(N1)));
        assertTrue(store.rows.containsKey(7L), "this instance's change arms the node");
    }

    /** Bound to the node's stable id: an operator renaming the node mid-install does not break its callback. */
    @Test
    void aRenamedNodeKeepsItsToken() {
        InstallTokens t = tokens();
        String a = t.current(N1);
        Node renamed = new Node(
                7,
                "web-01.cluster.test",
                List.of(),
                List.of(),
                "centos-stream-9-install",
                Optional.empty(),
                false,
                true,
                NodeState.INSTALLING,
                Instant.EPOCH,
                Instant.EPOCH);
        assertEquals(a, t.current(renamed));
        assertTrue(t.consume(renamed, a));
    }

    /** The key is the secret: the same store with another key yields other tokens, and refuses the old ones. */
    @Test
    void withoutTheKeyTheStoreYieldsNoToken() {
        String a = tokens().current(N1);
        byte[] other = new byte[32];
        other[0] = 1;
        InstallTokens t = new InstallTokens(store, other, clock, Duration.ofHours(1), new Random(1));
        assertNotEquals(a, t.current(N1));
        assertFalse(t.consume(N1, a));
    }

    @Test
    void noTokenInTheStore() {
        String a = tokens().current(N1);
        assertFalse(store.rows.get(7L).nonce().contains(a));
    }
}
