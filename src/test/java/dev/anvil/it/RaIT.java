package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Router advertisements end to end: the real daemon in a private network namespace (its veth {@code vs} holds
 * 10.233.0.1/24 and fd00:233:0:1::1/64, no route out) with a DHCP interface and a network with a fixed v6 prefix,
 * so {@code ra:} is on by default; the radvd it supervises answers {@code rdisc6} (Debian package ndisc6) in the
 * other namespace: M and O flags, router lifetime 0, the /64 on-link and not autonomous, RDNSS (Anvil's DNS on
 * {@code [::]:53}) and DNSSL. radvd killed: started again. Daemon stopped, or killed with SIGKILL: no radvd left.
 * {@code ra.enabled: false}: no answer.
 */
class RaIT {
    static final String PREFIX = "fd00:233:0:1::/64";
    static final String SELF = "fd00:233:0:1::1";

    @TempDir
    static Path tmp;

    static Netns net;
    DaemonProcess daemon;

    @BeforeAll
    static void namespaces() throws Exception {
        if (!Netns.available()) {
            System.err.println("*** RaIT SKIPPED: cannot create network namespaces here (needs root and iproute2) ***");
            Assumptions.abort("cannot create network namespaces");
        }
        net = Netns.create("10.233.0.1/24");
        net.must("ip", "-n", net.server, "addr", "add", SELF + "/64", "dev", "vs", "nodad");
    }

    @AfterAll
    static void removeNamespaces() throws Exception {
        if (net != null) {
            net.close();
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    DaemonProcess start(String name, String ra) throws Exception {
        Path cfg = tmp.resolve(name + ".yaml");
        Files.writeString(cfg, """
        dhcp: {listen: "0.0.0.0:67", interfaces: [vs]}
        tftp: {enabled: false}
        dns: {listen: "[::]:53"}
        %s
        networks:
          - {name: admin, id: 1, cidr: 10.233.0.0/24, staticRange: 10.233.0.10-10.233.0.99,
             dhcpPool: 10.233.0.100-10.233.0.150, domain: ra.test, serverAddress: 10.233.0.1,
             v6prefix: "%s"}
        """.formatted(ra, PREFIX));
        daemon = DaemonProcess.start(net.inServer(), tmp.resolve(name), "127.0.0.1:0", "--config", cfg.toString());
        return daemon;
    }

    /** rdisc6 once on the client's interface: its exit code and its "Field : value" lines (prefix lines nested). */
    static Netns.Result rdisc6() throws Exception {
        // -1: stop at the first RA; -r 4 -w 1500: up to four solicitations 1.5 s apart (the link-local address of
        // a fresh veth may still be tentative at the first one)
        return net.inClient(30, "rdisc6", "-1", "-r", "4", "-w", "1500", "vc");
    }

    static Map<String, String> fields(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("Soliciting")) {
                m.putIfAbsent(
                        line.substring(0, colon).trim(),
                        line.substring(colon + 1).trim());
            }
        }
        return m;
    }

    JsonNode raStatus() throws Exception {
        Http.Reply r = net.api(daemon, "GET", "/api/v1/status", null);
        assertEquals(200, r.status(), r.body());
        return r.json().path("services").path("ra");
    }

    static Optional<ProcessHandle> radvd(JsonNode status) {
        return status.path("metrics").has("pid")
                ? ProcessHandle.of(status.path("metrics").path("pid").asLong())
                : Optional.empty();
    }

    /** radvd processes whose command line names this state directory's config. */
    static List<ProcessHandle> radvdsOf(Path stateDir) {
        String conf = stateDir.resolve("radvd").resolve("radvd.conf").toString();
        List<ProcessHandle> out = new ArrayList<>();
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(conf))
                .forEach(out::add);
        return out;
    }

    /**
     * The served interface has no carrier when the daemon starts (its veth peer is down, as a bridge before its VM
     * or an admin port without a cable): the link is planned all the same, and RAs go out once the link comes up.
     * (Before: interfaces were read with isUp(), false without carrier, and such a link was never advertised.)
     */
    @Test
    void aLinkWithoutCarrierAtStartIsAdvertisedOnceItComesUp() throws Exception {
        net.must("ip", "-n", net.client, "link", "set", "vc", "down");
        try {
            start("nocarrier", "");
            JsonNode ra = raStatus();
            assertEquals(
                    "[\"vs " + PREFIX + "\"]", ra.path("metrics").path("links").toString(), ra.toString());
        } finally {
            net.must("ip", "-n", net.client, "link", "set", "vc", "up");
        }
        net.awaitClientLinkLocal("vc"); // rdisc6 cannot send from a tentative link-local address
        Netns.Result r = rdisc6();
        assertEquals(0, r.code(), r.output() + "\nanvild log:\n" + daemon.log());
        assertEquals(PREFIX, fields(r.output()).get("Prefix"), r.output());
    }

    @Test
    void rdisc6SeesTheManagedFlagPrefixRdnssAndDnssl() throws Exception {
        start("on", "");
        Netns.Result r = rdisc6();
        assertEquals(0, r.code(), r.output() + "\nanvild log:\n" + daemon.log());
        Map<String, String> f = fields(r.output());
        assertEquals("Yes", f.get("Stateful address conf."), r.output());
        assertEquals("Yes", f.get("Stateful other conf."), r.output());
        assertTrue(f.get("Router lifetime").startsWith("0 "), r.output());
        assertEquals(PREFIX, f.get("Prefix"), r.output());
        assertEquals("Yes", f.get("On-link"), r.output());
        assertEquals("No", f.get("Autonomous address conf."), r.output());
        assertEquals(SELF, f.get("Recursive DNS server"), r.output());
        assertEquals("ra.test", f.get("DNS search list"), r.output());

        JsonNode ra = raStatus();
        assertEquals("running", ra.path("state").asText(), ra.toString());
        assertEquals("running", ra.path("metrics").path("radvd").asText(), ra.toString());
        assertEquals("[\"vs " + PREFIX + "\"]", ra.path("metrics").path("links").toString());
        Http.Reply metrics = net.api(daemon, "GET", "/metrics", null);
        assertTrue(metrics.body().contains("anvil_ra_radvd_running 1.0"), metrics.body());
        assertTrue(metrics.body().contains("anvil_ra_links 1.0"), metrics.body());
        String conf = Files.readString(tmp.resolve("on").resolve("radvd").resolve("radvd.conf"));
        assertTrue(conf.contains("interface vs {"), conf);
        assertTrue(daemon.log().contains("radvd: "), "radvd's own lines reach the log:\n" + daemon.log());

        // radvd dies: the supervisor starts it again, and the RAs go on
        ProcessHandle first = radvd(ra).orElseThrow();
        first.destroyForcibly();
        long end = System.nanoTime() + 15_000_000_000L;
        JsonNode again = raStatus();
        while (System.nanoTime() < end
                && (radvd(again).isEmpty() || radvd(again).get().pid() == first.pid())) {
            Thread.sleep(200);
            again = raStatus();
        }
        assertNotEquals(first.pid(), radvd(again).orElseThrow().pid(), again.toString());
        assertEquals(1, again.path("metrics").path("restarts").asInt(), again.toString());
        assertEquals(0, rdisc6().code(), daemon.log());

        // stopped: no radvd remains
        ProcessHandle second = radvd(again).orElseThrow();
        int code = daemon.stop();
        assertTrue(code == 0 || code == 143, "clean exit on SIGTERM, got " + code);
        assertTrue(second.onExit().isDone() || !second.isAlive(), "radvd stopped with anvild");
        assertEquals(List.of(), radvdsOf(tmp.resolve("on")));
        assertTrue(daemon.log().contains("sending stop adverts"), daemon.log());
    }

    @Test
    void noRadvdOutlivesAKilledDaemon() throws Exception {
        start("killed", "");
        ProcessHandle radvd = radvd(raStatus()).orElseThrow();
        daemon.kill(); // SIGKILL: no shutdown hook runs
        radvd.onExit()
                .completeOnTimeout(radvd, 10, java.util.concurrent.TimeUnit.SECONDS)
                .join();
        assertTrue(!radvd.isAlive(), "setpriv --pdeathsig: radvd goes with its parent");
        assertEquals(List.of(), radvdsOf(tmp.resolve("killed")));
    }

    @Test
    void offWhereARouterSendsRasAlready() throws Exception {
        start("off", "ra: {enabled: false}");
        Netns.Result r = rdisc6();
        assertNotEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("No response"), r.output());
        assertTrue(raStatus().isMissingNode(), "no ra service at all");
        assertEquals(List.of(), radvdsOf(tmp.resolve("off")));
    }
}
