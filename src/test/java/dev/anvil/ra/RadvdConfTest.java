package dev.anvil.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.anvil.config.RaConfig;
import dev.anvil.core.net.Ipv6Prefix64;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * radvd.conf text, byte for byte against golden files in src/test/resources/ra/, and each golden file accepted by
 * the real {@code radvd --configtest} (Debian package radvd; CI installs it).
 */
class RadvdConfTest {
    static final RaLink ADMIN = new RaLink(
            "eth1",
            "admin",
            Ipv6Prefix64.parse("fd7f:4d8a:87f4:1::/64"),
            List.of("fd7f:4d8a:87f4:1::1"),
            "cluster.test");
    static final RaLink STORAGE = new RaLink(
            "eth2",
            "storage",
            Ipv6Prefix64.parse("fd00:1234:5678:3::/64"),
            List.of("fd00:1234:5678:3::1", "fd00:1234:5678:3::2"),
            "storage.cluster.test");
    static final RaLink NO_DNS =
            new RaLink("eth3", "lab", Ipv6Prefix64.parse("fd7f:4d8a:87f4:7::/64"), List.of(), "lab.test");

    static RaConfig cfg(boolean router, boolean managed, boolean autonomous, int min, int max) {
        return new RaConfig(
                Optional.empty(),
                RaConfig.DEFAULT_RADVD,
                router,
                managed,
                autonomous,
                min,
                max,
                Map.of(),
                Optional.empty());
    }

    @Test
    void twoNetworksNotARouterWithDnsServers() throws Exception {
        check("two-networks.conf", RadvdConf.render(List.of(ADMIN, STORAGE), RaConfig.defaults()));
    }

    @Test
    void aRouterWithSlaacAndALinkWithoutDnsServer() throws Exception {
        check("router-slaac.conf", RadvdConf.render(List.of(NO_DNS), cfg(true, true, true, 20, 60)));
    }

    @Test
    void noDhcpv6Flags() throws Exception {
        check("unmanaged.conf", RadvdConf.render(List.of(ADMIN), cfg(false, false, false, 3, 4)));
    }

    @Test
    void theRouterLifetimeIsZeroUnlessARouterAndAtMost9000() {
        assertEquals(0, cfg(false, true, false, 10, 30).routerLifetime());
        assertEquals(90, cfg(true, true, false, 10, 30).routerLifetime());
        assertEquals(5400, cfg(true, true, false, 600, 1800).routerLifetime());
        assertEquals(
                9000,
                new RaConfig(Optional.empty(), Path.of("/x"), true, true, false, 3, 3001, Map.of(), Optional.empty())
                        .routerLifetime());
    }

    private static void check(String golden, String text) throws Exception {
        assertEquals(golden(golden), text, golden);
        radvdAccepts(text, golden);
    }

    static String golden(String name) throws IOException {
        try (InputStream in = RadvdConfTest.class.getResourceAsStream("/ra/" + name)) {
            if (in == null) {
                throw new IllegalStateException("golden file ra/" + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @TempDir
    static Path tmp;

    private static void radvdAccepts(String text, String name) throws Exception {
        if (!Files.isExecutable(RaConfig.DEFAULT_RADVD)) {
            fail("radvd is not installed; `apt-get install radvd` (CI installs it). This test must not be skipped.");
        }
        Path f = Files.createTempFile(tmp, "radvd", ".conf");
        Files.writeString(f, text);
        Process p = new ProcessBuilder(
                        RaConfig.DEFAULT_RADVD.toString(),
                        "--configtest",
                        "--logmethod",
                        "stderr",
                        "--config",
                        f.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), name + " is refused by radvd --configtest: " + out);
    }
}
