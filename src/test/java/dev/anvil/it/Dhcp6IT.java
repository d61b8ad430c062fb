package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHCPv6 with a real client: ISC {@code dhclient -6} (DUID-LL, so the server sees the MAC) in a network namespace
 * against the real daemon in another, over a veth pair with no route out. A known node gets exactly its derived
 * address, the one {@code dig AAAA} shows and {@code dig -x} names; a machine no node has gets a pool address in
 * the network's /64.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Dhcp6IT {
    static final String PREFIX = "fd00:232::";
    static final String NODE = "n6.it6.test";
    static final String NODE_MAC = "52:54:00:bb:00:01";

    @TempDir
    static Path tmp;

    static Netns net;
    static DaemonProcess daemon;

    @BeforeAll
    static void start() throws Exception {
        if (!Netns.available()) {
            System.err.println(
                    "*** Dhcp6IT SKIPPED: cannot create network namespaces here (needs root and iproute2) ***");
            Assumptions.abort("cannot create network namespaces");
        }
        net = Netns.create("10.232.0.1/24");
        // No duplicate address detection: the addresses are usable at once (the link-local one dhclient sends from).
        net.withoutDad();
        net.must("ip", "-n", net.server, "addr", "add", PREFIX + "1/64", "dev", "vs", "nodad");
        flap("vc", NODE_MAC);
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(cfg, """
        dhcp: {enabled: false}
        tftp: {enabled: false}
        dns: {listen: "10.232.0.1:53"}
        ra: {enabled: false}
        dhcp6: {enabled: true, interfaces: [vs], dnsServers: ["fd00:232::1"], preferredLifetime: 600,
                validLifetime: 900}
        networks:
          - {name: admin, id: 1, cidr: 10.232.0.0/24, staticRange: 10.232.0.10-10.232.0.99,
             dhcpPool: 10.232.0.100-10.232.0.150, domain: it6.test, serverAddress: 10.232.0.1,
             v6prefix: "fd00:232::/64"}
        """);
        daemon = DaemonProcess.start(net.inServer(), tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
    }

    /** Gives the client's interface a MAC and a fresh link-local address (down, MAC, up). */
    static void flap(String dev, String mac) throws Exception {
        net.must("ip", "-n", net.client, "link", "set", dev, "down");
        net.must("ip", "-n", net.client, "link", "set", dev, "address", mac);
        net.must("ip", "-n", net.client, "link", "set", dev, "up");
        net.awaitClientLinkLocal(dev);
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

    /** Runs {@code dhclient -6} once with a DUID-LL; returns the address of the lease it wrote. */
    static String dhclient6(String tag) throws Exception {
        Path leases = tmp.resolve("dhclient6-" + tag + ".leases");
        Path pid = tmp.resolve("dhclient6-" + tag + ".pid");
        Netns.Result r = net.inClient(
                60,
                "timeout",
                "45",
                "dhclient",
                "-6",
                "-1",
                "-v",
                "-D",
                "LL",
                "-sf",
                "/bin/true",
                "-pf",
                pid.toString(),
                "-lf",
                leases.toString(),
                "vc");
        try {
            assertEquals(0, r.code(), r.output() + "\nanvild log:\n" + daemon.log());
            String lease = Files.readString(leases);
            Matcher m = Pattern.compile("iaaddr ([0-9a-f:]+) \\{").matcher(lease);
            assertTrue(m.find(), lease);
            assertTrue(lease.contains("option dhcp6.name-servers fd00:232::1;"), lease);
            assertTrue(lease.contains("option dhcp6.domain-search \"it6.test.\";"), lease);
            return m.group(1);
        } finally {
            if (Files.exists(pid)) {
                net.inClient(10, "kill", Files.readString(pid).trim());
            }
        }
    }

    static String dig(String... q) throws Exception {
        String[] cmd = new String[5 + q.length];
        cmd[0] = "dig";
        cmd[1] = "@10.232.0.1";
        cmd[2] = "+short";
        cmd[3] = "+time=3";
        cmd[4] = "+tries=2";
        System.arraycopy(q, 0, cmd, 5, q.length);
        Netns.Result r = net.inServer(20, cmd);
        assertEquals(0, r.code(), r.output());
        return r.output().trim();
    }

    @Test
    @Order(1)
    void aKnownNodeHoldsExactlyTheAddressItsAaaaShows() throws Exception {
        Http.Reply created =
                net.api(daemon, "POST", "/api/v1/nodes", "{\"name\":\"" + NODE + "\",\"macs\":[\"" + NODE_MAC + "\"]}");
        assertEquals(201, created.status(), created.body());
        String leased = dhclient6("known");
        String aaaa = dig("AAAA", NODE);
        assertEquals(aaaa, leased, "the DHCPv6 address is the node's AAAA");
        assertTrue(leased.startsWith(PREFIX), leased);
        assertEquals(NODE + ".", dig("-x", leased));

        // On the node's boot timeline (written in batches: wait for it), and in the meters.
        String timeline = "";
        for (int i = 0; i < 50 && !timeline.contains("request -> reply"); i++) {
            Thread.sleep(100);
            timeline = net.api(daemon, "GET", "/api/v1/nodes/" + NODE + "/timeline", null)
                    .body();
        }
        assertTrue(timeline.contains("\"dhcp6\"") && timeline.contains("solicit -> advertise"), timeline);
        assertTrue(timeline.contains("request -> reply") && timeline.contains("address=" + leased), timeline);
        String metrics = net.api(daemon, "GET", "/metrics", null).body();
        assertTrue(metrics.matches("(?s).*anvil_dhcp6_replies_total\\{type=\"reply\"} [1-9].*"), metrics);
    }

    @Test
    @Order(2)
    void aMachineNoNodeHasGetsAPoolAddressInThePrefix() throws Exception {
        flap("vc", "52:54:00:bb:00:02");
        String leased = dhclient6("unknown");
        assertTrue(leased.startsWith(PREFIX), leased);
        assertNotEquals(dig("AAAA", NODE), leased);
        String again = dhclient6("unknown-again");
        assertEquals(leased, again, "the same client gets the same pool address");
    }
}
