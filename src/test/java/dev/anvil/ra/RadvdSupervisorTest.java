package dev.anvil.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.RaConfig;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.lifecycle.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor where no radvd can run (the real radvd's socket is RaIT's, in a network namespace): a missing
 * radvd fails the service, not the daemon, with one reason; no link means no radvd until a reload brings one.
 */
class RadvdSupervisorTest {
    static final RaLink LINK = new RaLink(
            "eth1", "admin", Ipv6Prefix64.parse("fd00:1:2:3::/64"), List.of("fd00:1:2:3::1"), "cluster.test");

    static RaConfig radvdAt(Path exe) {
        RaConfig d = RaConfig.defaults();
        return new RaConfig(
                Optional.of(true),
                exe,
                false,
                true,
                false,
                d.minInterval(),
                d.maxInterval(),
                Map.of(),
                Optional.empty());
    }

    @Test
    void aMissingRadvdFailsTheServiceWithItsReason(@TempDir Path state) throws Exception {
        try (RadvdSupervisor s = new RadvdSupervisor(
                radvdAt(state.resolve("no-radvd")), state, () -> new RaPlan(List.of(LINK), List.of()))) {
            s.start(); // never throws: the daemon serves everything else
            assertEquals(Service.State.FAILED, s.state());
            assertEquals(
                    "router advertisements off: " + state.resolve("no-radvd") + " is not installed (Debian package"
                            + " radvd; or set ra.radvd, or ra.enabled: false)",
                    s.metrics().get("error"));
            assertEquals("stopped", s.metrics().get("radvd"));
            assertTrue(Files.readString(state.resolve("radvd/radvd.conf")).contains("interface eth1 {"));
        }
    }

    @Test
    void noLinkNoRadvdUntilAReloadBringsOne(@TempDir Path state) throws Exception {
        AtomicReference<RaPlan> plan =
                new AtomicReference<>(new RaPlan(List.of(), List.of("no RAs for network admin: ...")));
        RadvdSupervisor s = new RadvdSupervisor(radvdAt(state.resolve("no-radvd")), state, plan::get);
        s.start();
        assertEquals(Service.State.RUNNING, s.state());
        assertEquals("idle", s.metrics().get("radvd"));
        assertEquals(List.of(), s.metrics().get("links"));
        assertFalse(Files.exists(state.resolve("radvd/radvd.conf")), "radvd refuses an empty config: none written");
        s.reload(); // the same plan: nothing to do
        assertEquals("idle", s.metrics().get("radvd"));
        plan.set(new RaPlan(List.of(LINK), List.of()));
        s.reload(); // now a link: the config is written; this radvd is missing, so it is reported and left stopped
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end && !s.metrics().containsKey("error")) {
            Thread.sleep(20);
        }
        assertEquals(List.of("eth1 fd00:1:2:3::/64"), s.metrics().get("links"));
        assertTrue(
                String.valueOf(s.metrics().get("error")).contains("is not installed"),
                s.metrics().toString());
        s.close();
        assertEquals(Service.State.STOPPED, s.state());
        s.close(); // twice is fine
    }
}
