package dev.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.DiscoveryConfig;
import dev.anvil.core.node.MacAddress;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DiscoveryGateTest {
    Instant now = Instant.parse("2026-12-04T12:00:00Z");
    final AtomicLong pending = new AtomicLong();
    /** The MACs whose node exists (the directory's byMac). */
    final java.util.Set<MacAddress> nodes = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    DiscoveryGate gate(int perSource, int perMac, int max) {
        return new DiscoveryGate(new DiscoveryConfig(perSource, perMac, max), clock, pending::get, nodes::contains);
    }

    static MacAddress mac(int i) {
        return MacAddress.parse(String.format("52:54:00:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff));
    }

    @Test
    void aSourceGetsAMinutesAllowanceThenWaits() throws Exception {
        DiscoveryGate g = gate(10, 100, 1000);
        InetAddress a = InetAddress.getByName("10.0.0.5");
        InetAddress b = InetAddress.getByName("10.0.0.6");
        for (int i = 0; i < 10; i++) {
            assertTrue(g.checkSource(a).isEmpty(), "request " + i);
        }
        DiscoveryGate.Refusal r = g.checkSource(a).orElseThrow();
        assertEquals(429, r.status());
        assertTrue(r.reason().contains("perSourcePerMinute"), r.reason());
        assertTrue(r.retryAfterSeconds() >= 1);
        assertTrue(g.checkSource(b).isEmpty(), "another source has its own allowance");
        now = now.plus(Duration.ofSeconds(6));
        assertTrue(g.checkSource(a).isEmpty(), "one token back after 6 s at 10 a minute");
        assertTrue(g.checkSource(a).isPresent());
        assertEquals(2L, g.metrics().get("refusedSourceRate"));
    }

    @Test
    void anIpv6SourceSharesOneAllowancePerSlash64() throws Exception {
        DiscoveryGate g = gate(5, 100, 1000);
        for (int i = 1; i <= 5; i++) {
            // A new address of the /64 for every registration does not buy a new allowance.
            assertTrue(g.checkSource(InetAddress.getByName("fd00:0:0:1::" + i)).isEmpty(), "request " + i);
        }
        assertTrue(g.checkSource(InetAddress.getByName("fd00:0:0:1:ffff::6")).isPresent());
        assertTrue(g.checkSource(InetAddress.getByName("fd00:0:0:2::1")).isEmpty(), "another /64");
    }

    @Test
    void oneMacIsLimitedWhateverItsSource() throws Exception {
        DiscoveryGate g = gate(1000, 3, 1000);
        InetAddress a = InetAddress.getByName("10.0.0.5");
        for (int i = 0; i < 3; i++) {
            assertTrue(g.checkMachine(a, mac(1), false).isEmpty());
        }
        assertEquals(
                429,
                g.checkMachine(InetAddress.getByName("10.0.0.9"), mac(1), true)
                        .orElseThrow()
                        .status());
        assertTrue(g.checkMachine(a, mac(2), false).isEmpty());
    }

    @Test
    void theCapStopsNewMachinesButNotKnownOnes() throws Exception {
        DiscoveryGate g = gate(1000, 1000, 5);
        InetAddress a = InetAddress.getByName("10.0.0.5");
        pending.set(5);
        DiscoveryGate.Refusal r = g.checkMachine(a, mac(7), false).orElseThrow();
        assertEquals(503, r.status());
        assertTrue(r.reason().contains("maxPending"), r.reason());
        assertTrue(g.checkMachine(a, mac(8), true).isEmpty(), "a machine Anvil knows may re-register");
        pending.set(4);
        assertEquals("made", g.admit(a, mac(7), false, () -> {
            // While this machine registers, it counts: a concurrent new one finds the cap reached.
            assertEquals(503, g.checkMachine(a, mac(9), false).orElseThrow().status());
            return "made";
        }));
        assertEquals(2L, g.metrics().get("refusedFull"));
        assertEquals(2L, g.metrics().get("accepted"));
    }

    /**
     * A registration whose node is committed but which has not returned yet counts once (its node, in pending),
     * not twice: the last machine of a storm of exactly maxPending machines is let in, not sent away for a minute.
     */
    @Test
    void aCommittedRegistrationCountsOnce() throws Exception {
        DiscoveryGate g = gate(1000, 1000, 5);
        InetAddress a = InetAddress.getByName("10.0.0.5");
        pending.set(3);
        assertEquals("made", g.admit(a, mac(7), false, () -> {
            pending.set(4);
            nodes.add(mac(7)); // committed, not returned yet: counted in pending, no longer as in flight
            assertTrue(g.checkMachine(a, mac(9), false).isEmpty(), "4 nodes, mac(7)'s among them: room for a 5th");
            assertEquals(503, g.checkMachine(a, mac(10), false).orElseThrow().status(), "4 + mac(9) in flight");
            return "made";
        }));
        assertEquals(1L, g.metrics().get("refusedFull"));
    }

    /** A million made-up MACs: the per-MAC table keeps at most MAX_KEYS entries, so memory stays bounded. */
    @Test
    void madeUpMacsDoNotGrowMemory() throws Exception {
        DiscoveryGate g = gate(10, 1, Integer.MAX_VALUE);
        InetAddress a = InetAddress.getByName("10.0.0.5");
        for (int i = 0; i < 1_000_000; i++) {
            g.admit(a, mac(i), false, () -> null);
        }
        assertTrue(g.macKeys() <= DiscoveryGate.MAX_KEYS, "keys: " + g.macKeys());
        assertEquals(1_000_000L, g.metrics().get("accepted"));
    }
}
