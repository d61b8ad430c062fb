package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.net.InterfaceId;
import dev.anvil.core.net.Ipv6Prefix64;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The discovery image's IPv6 path with its own shell functions ({@code pxe/sledgehammer/lib.sh}, run by busybox sh
 * in a network namespace, duplicate address detection on) against the real daemon on a v6-only link: the boot
 * config rendered for the client's address carries {@code anvil.ip6=<that address>/64} and the bracketed API URL;
 * the image takes that address, registers over IPv6 (busybox wget to {@code http://[...]}), is answered with the
 * node's derived address (the /64 + md5 of its name), moves to it, and its plan poll is answered from there only.
 */
class SledgehammerLibIT {
    static final String SERVER6 = "fd00:234::1";
    static final String POOL6 = "fd00:234::5647:bb2b:5476:6855";
    static final String MAC = "52:54:00:dd:00:01";
    static final String NAME = "d52-54-00-dd-00-01.it6d.test";
    static final Path LIB = Path.of("pxe/sledgehammer/lib.sh").toAbsolutePath();

    @TempDir
    static Path tmp;

    static Netns net;
    static DaemonProcess daemon;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        if (!Netns.available()) {
            System.err.println("*** SledgehammerLibIT SKIPPED: cannot create network namespaces here"
                    + " (needs root and iproute2) ***");
            Assumptions.abort("cannot create network namespaces");
        }
        net = Netns.create("10.234.0.1/24");
        net.must("ip", "-n", net.server, "addr", "add", SERVER6 + "/64", "dev", "vs", "nodad");
        net.awaitClientLinkLocal("vc");
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(cfg, """
        dhcp: {enabled: false}
        dhcp6: {enabled: false}
        ra: {enabled: false}
        tftp: {enabled: false, root: "%s"}
        dns: {enabled: false}
        lifecycle: {aliveIntervalSeconds: 0}
        networks:
          - {name: admin, id: 1, cidr: 10.234.0.0/24, staticRange: 10.234.0.10-10.234.0.99,
             domain: it6d.test, serverAddress: 10.234.0.1, v6prefix: "fd00:234::/64"}
        """.formatted(Files.createDirectories(tmp.resolve("boot"))));
        Files.writeString(tmp.resolve("boot/hello.txt"), "hello\n");
        daemon = DaemonProcess.start(net.inServer(), tmp.resolve("state"), "[::]:" + port, "--config", cfg.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** busybox sh in the client namespace: lib.sh sourced, CMDLINE and RUNDIR in the test's folder. */
    static Netns.Result sh(String script) throws Exception {
        return net.inClient(
                60,
                "env",
                "CMDLINE=" + tmp.resolve("cmdline"),
                "RUNDIR=" + tmp,
                "/bin/busybox",
                "sh",
                "-c",
                ". " + LIB + "\n" + script);
    }

    static String ok(Netns.Result r) {
        assertEquals(0, r.code(), r.output());
        return r.output().strip();
    }

    @Test
    void theImageTakesItsAddressRegistersOverIpv6AndMovesToItsDerivedAddress() throws Exception {
        String api = "http://[" + SERVER6 + "]:" + port + "/api/v1";
        String derived = Ipv6Prefix64.format(Ipv6Prefix64.parse("fd00:234::/64").address(InterfaceId.of(NAME)));
        // 1. the address the firmware held from DHCPv6 (here: taken by hand), with duplicate address detection
        assertEquals("ok", ok(sh("ip6take vc " + POOL6 + "/64 && ip6state vc " + POOL6)));
        // 2. iPXE's fetch of its script from that address: the kernel line names it and the API in brackets
        String script = ok(sh(
                "wget -q -O - 'http://[" + SERVER6 + "]:" + port + "/nodes/" + MAC.replace(':', '-') + "/boot.ipxe'"));
        String kernel = script.lines()
                .filter(l -> l.startsWith("kernel "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(script));
        assertTrue(kernel.contains(" anvil.api=" + api + " "), kernel);
        assertTrue(kernel.contains(" anvil.ip6=" + POOL6 + "/64 "), kernel);
        Files.writeString(tmp.resolve("cmdline"), kernel.substring("kernel ".length()) + "\n");
        assertEquals(POOL6 + "/64|" + api, ok(sh("echo \"$(arg anvil.ip6)|$(arg anvil.api)\"")));
        // 3. registration over IPv6 (busybox wget, bracketed URL): the reply names the derived address
        Files.writeString(
                tmp.resolve("inventory.json"),
                "{\"mac\":\"" + MAC + "\",\"macs\":[\"" + MAC + "\"],\"cpu\":{\"count\":1,\"model\":\"x\"},"
                        + "\"memoryBytes\":1,\"disks\":[],\"dmi\":{}}");
        String reg = ok(sh("http POST \"$(arg anvil.api)/discover\" " + tmp.resolve("reply") + " "
                + tmp.resolve("inventory.json") + " || errline; echo \"$(jfield name < " + tmp.resolve("reply")
                + ")|$(jfield ipv6 < " + tmp.resolve("reply") + ")\""));
        assertEquals(NAME + "|" + derived + "/64", reg);
        // 4. the plan poll from the booted address is no request of the node's (404)...
        String plan = "http GET \"$(arg anvil.api)/nodes/" + MAC + "/plan\" " + tmp.resolve("plan")
                + " && jfield action < " + tmp.resolve("plan") + " || errline";
        assertTrue(ok(sh(plan)).contains("404"), "from " + POOL6);
        // 5. ...after the move to the derived address it is (DAD passed, the old address gone)
        ok(sh("ip6move vc " + POOL6 + "/64 " + derived + "/64"));
        String addrs = ok(net.inClient(10, "ip", "-6", "addr", "show", "dev", "vc", "scope", "global"));
        assertTrue(addrs.contains(derived + "/64"), addrs);
        assertFalse(addrs.contains(POOL6), addrs);
        assertFalse(addrs.contains("tentative"), addrs);
        assertEquals("wait", ok(sh(plan)));
        // 6. the server reaches the node on its derived address (what the e2e pings)
        ok(net.inServer(15, "ping", "-6", "-c", "1", "-W", "5", derived));
        // 7. a file fetched over HTTP from the derived address is on the node's boot timeline (from=<address>)
        ok(sh("wget -q -O /dev/null 'http://[" + SERVER6 + "]:" + port + "/boot/hello.txt'"));
        String want = "path=/boot/hello.txt bytes=6 from=" + derived;
        String events = "";
        for (int i = 0; i < 50 && !events.contains(want); i++) {
            Thread.sleep(100);
            events = net.api(daemon, "GET", "/api/v1/nodes/" + MAC + "/timeline?limit=100", null)
                    .body();
        }
        assertTrue(events.contains(want), events);
    }

    @Test
    void aDuplicateAddressIsRefusedAndTheOldOneKept() throws Exception {
        String taken = "fd00:234::dead:beef";
        String mine = "fd00:234::77";
        net.must("ip", "-n", net.server, "addr", "add", taken + "/64", "dev", "vs", "nodad");
        assertEquals("ok", ok(sh("ip6take vc " + mine + "/64 && ip6state vc " + mine)));
        // the server holds `taken`: DAD fails, ip6move says so and keeps `mine`
        assertEquals("1", ok(sh("ip6move vc " + mine + "/64 " + taken + "/64; echo $?")));
        String addrs = ok(net.inClient(10, "ip", "-6", "addr", "show", "dev", "vc", "scope", "global"));
        assertTrue(addrs.contains(mine + "/64"), addrs);
        assertFalse(addrs.contains(taken), addrs);
        assertEquals("absent", ok(sh("ip6state vc " + taken)));
        net.must("ip", "-n", net.client, "addr", "del", mine + "/64", "dev", "vc");
    }
}
