package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real DHCP clients from Debian's packages (busybox udhcpc, ISC dhclient, Kea's perfdhcp as a relay) against
 * the real daemon, across a veth pair between two private network namespaces. The standard ports 67/68 are
 * used because Debian's busybox is built without udhcpc's -P; inside a private namespace they collide with
 * nothing. (The high-port path is exercised by DhcpLoadIT on loopback.) A PXE ROM's lone DISCOVER, which none
 * of those clients sends without going on to REQUEST, is encoded here and broadcast by python3.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DhcpIT {
    @TempDir
    static Path tmp;

    static Netns net;
    static DaemonProcess daemon;

    @BeforeAll
    static void start() throws Exception {
        if (!Netns.available()) {
            System.err.println(
                    "*** DhcpIT SKIPPED: cannot create network namespaces here (needs root and iproute2) ***");
            Assumptions.abort("cannot create network namespaces");
        }
        net = Netns.create("10.231.0.1/24");
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(cfg, """
        dhcp: {listen: "0.0.0.0:67", interfaces: [vs], leaseTime: 600, offerHold: 3, pingCheckMillis: 300}
        tftp: {enabled: false}
        dns: {enabled: false}
        networks:
          - {name: admin, id: 1, cidr: 10.231.0.0/24, staticRange: 10.231.0.10-10.231.0.99,
             dhcpPool: 10.231.0.100-10.231.0.150, domain: it.test, serverAddress: 10.231.0.1}
        """);
        startDaemon();
    }

    static void startDaemon() throws Exception {
        daemon = DaemonProcess.start(
                net.inServer(),
                tmp.resolve("state"),
                "127.0.0.1:0",
                "--config",
                tmp.resolve("anvil.yaml").toString());
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

    static Http.Reply api(String method, String path, String body) throws Exception {
        return net.api(daemon, method, path, body);
    }

    /** Runs udhcpc once in the client namespace; returns the variables its script saw on "bound". */
    static Map<String, String> udhcpc(String... extra) throws Exception {
        Path out = tmp.resolve("bound.env");
        Files.deleteIfExists(out);
        Path script = tmp.resolve("udhcpc.sh");
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = bound ] && env > " + out + "\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] cmd = new String[] {
            "busybox", "udhcpc", "-i", "vc", "-f", "-q", "-n", "-t", "5", "-T", "2", "-s", script.toString()
        };
        String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd), java.util.Arrays.stream(extra))
                .toArray(String[]::new);
        Netns.Result r = net.inClient(60, full);
        assertEquals(0, r.code(), "udhcpc: " + r.output() + "\nanvild log:\n" + daemon.log());
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(out)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    @Test
    @Order(1)
    void unknownMacGetsAPoolAddressAndTheLeaseIsListed() throws Exception {
        net.must("ip", "-n", net.client, "link", "set", "vc", "address", "52:54:00:aa:00:01");
        Map<String, String> env = udhcpc();
        assertEquals("10.231.0.100", env.get("ip"));
        assertEquals("10.231.0.1", env.get("serverid"));
        assertEquals("255.255.255.0", env.get("subnet"));
        assertEquals("it.test", env.get("domain"));
        assertEquals("600", env.get("lease"));
        JsonNode leases = Http.JSON.readTree(api("GET", "/api/v1/leases", null).body());
        assertEquals("10.231.0.100", leases.get(0).get("ip").asText());
        assertEquals("52:54:00:aa:00:01", leases.get(0).get("mac").asText());
        assertEquals("active", leases.get(0).get("state").asText());
        // A second run of the same client keeps its address.
        assertEquals("10.231.0.100", udhcpc().get("ip"));
    }

    @Test
    @Order(2)
    void knownMacGetsItsReservationHostNameAndUefiLoader() throws Exception {
        net.must("ip", "-n", net.client, "link", "set", "vc", "address", "52:54:00:aa:00:02");
        Http.Reply created = api(
                "POST",
                "/api/v1/nodes",
                "{\"name\":\"n2.it.test\",\"macs\":[\"52:54:00:aa:00:02\"],\"addresses\":{\"admin\":\"10.231.0.42\"}}");
        assertEquals(201, created.status(), created.body());
        Map<String, String> env = udhcpc("-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007");
        assertEquals("10.231.0.42", env.get("ip"), env.toString());
        assertEquals("n2", env.get("hostname"));
        assertEquals("snponly.efi", env.get("boot_file"));
        assertEquals("10.231.0.1", env.get("siaddr"));
        // The boot environment changes take effect on the very next packet: local boot means no boot file.
        assertEquals(
                200,
                api("PATCH", "/api/v1/nodes/n2.it.test", "{\"bootEnv\":\"local\"}")
                        .status());
        Map<String, String> local = udhcpc("-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007");
        assertEquals("10.231.0.42", local.get("ip"));
        assertTrue(local.get("boot_file") == null || local.get("boot_file").isEmpty(), local.toString());
    }

    @Test
    @Order(3)
    void dhclientGetsALease() throws Exception {
        net.must("ip", "-n", net.client, "link", "set", "vc", "address", "52:54:00:aa:00:03");
        Path leases = tmp.resolve("dhclient.leases");
        Path pid = tmp.resolve("dhclient.pid");
        Netns.Result r = net.inClient(
                60,
                "timeout",
                "50",
                "dhclient",
                "-1",
                "-v",
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
            assertTrue(lease.matches("(?s).*fixed-address 10\\.231\\.0\\.1[0-4][0-9];.*"), lease);
            assertTrue(lease.contains("option dhcp-server-identifier 10.231.0.1"), lease);
        } finally {
            if (Files.exists(pid)) {
                net.inClient(10, "kill", Files.readString(pid).trim());
            }
        }
    }

    @Test
    @Order(4)
    void relayedRequestsAreAnsweredToTheRelay() throws Exception {
        net.must("ip", "-n", net.client, "addr", "add", "10.231.0.2/24", "dev", "vc");
        // perfdhcp as a relay agent: giaddr = 10.231.0.2, replies come back to giaddr port 67.
        Netns.Result r = net.inClient(
                60,
                "perfdhcp",
                "-4",
                "-l",
                "10.231.0.2",
                "-r",
                "20",
                "-R",
                "20",
                "-n",
                "20",
                "-W",
                "5000000",
                "10.231.0.1");
        assertTrue(r.output().contains("received packets: 20"), r.output());
        JsonNode status = Http.JSON.readTree(api("GET", "/api/v1/status", null).body());
        assertTrue(status.at("/services/dhcp/metrics/acks").asInt() >= 20, status.toString());
        assertEquals("running", status.at("/services/dhcp/state").asText());
    }

    @Test
    @Order(5)
    void aPoolAddressThatAnswersPingIsSkipped() throws Exception {
        JsonNode leases = Http.JSON.readTree(api("GET", "/api/v1/leases", null).body());
        long highest = 0;
        for (JsonNode l : leases) {
            highest = Math.max(
                    highest,
                    dev.anvil.core.net.Ipv4Address.parse(l.get("ip").asText()).unsigned());
        }
        String squatter = dev.anvil.core.net.Ipv4Address.ofUnsigned(highest + 1).toString();
        String expected = dev.anvil.core.net.Ipv4Address.ofUnsigned(highest + 2).toString();
        // Someone uses the next pool address without a lease (a static configuration gone wrong).
        net.must("ip", "-n", net.client, "addr", "add", squatter + "/24", "dev", "vc");
        net.must("ip", "-n", net.client, "link", "set", "vc", "address", "52:54:00:aa:00:05");
        Map<String, String> env = udhcpc();
        assertEquals(expected, env.get("ip"), "skipped " + squatter);
        JsonNode status = Http.JSON.readTree(api("GET", "/api/v1/status", null).body());
        assertTrue(status.at("/services/dhcp/metrics/pingConflicts").asInt() >= 1, status.toString());
    }

    /**
     * What a PXE ROM sends on every boot: one broadcast DHCPDISCOVER from port 68, from the client namespace,
     * and nothing after the OFFER (the machine then boots from its disk, or is switched off). The packet is
     * encoded here and sent by a few lines of Python (udhcpc and dhclient always go on to REQUEST, and
     * perfdhcp only speaks as a relay); returns the OFFER.
     */
    static DhcpPacket discoverOnly(MacAddress mac) throws Exception {
        int xid = (int) (Math.random() * Integer.MAX_VALUE);
        DhcpOptions opts = DhcpOptions.builder()
                .putByte(DhcpOption.MESSAGE_TYPE, MessageType.DISCOVER.code())
                .putText(DhcpOption.VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001")
                .put(DhcpOption.CLIENT_ARCH, new byte[] {0, 0})
                .put(DhcpOption.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 6, 66, 67})
                .build();
        DhcpPacket discover = new DhcpPacket(
                DhcpPacket.BOOTREQUEST,
                1,
                6,
                0,
                xid,
                0,
                0x8000,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                java.util.Arrays.copyOf(mac.toBytes(), 16),
                new byte[64],
                new byte[128],
                opts);
        Path script = tmp.resolve("discover.py");
        Files.writeString(script, """
        import socket, sys
        pkt = bytes.fromhex(sys.argv[2])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, sys.argv[1].encode())
        s.bind(("0.0.0.0", 68))
        s.settimeout(10)
        s.sendto(pkt, ("255.255.255.255", 67))
        while True:
            data = s.recv(2048)
            if data[4:8] == pkt[4:8]:
                print(data.hex())
                break
        """);
        byte[] wire = DhcpCodec.encode(discover, DhcpCodec.DEFAULT_MAX_SIZE, DhcpCodec.MIN_BOOTP_SIZE);
        Netns.Result r = net.inClient(
                30, "python3", script.toString(), "vc", HexFormat.of().formatHex(wire));
        assertEquals(0, r.code(), "discover: " + r.output() + "\nanvild log:\n" + daemon.log());
        return DhcpCodec.decode(HexFormat.of().parseHex(r.output().trim()));
    }

    static JsonNode leaseAt(String ip) throws Exception {
        for (JsonNode l : Http.JSON.readTree(api("GET", "/api/v1/leases", null).body())) {
            if (l.get("ip").asText().equals(ip)) {
                return l;
            }
        }
        throw new AssertionError("no lease for " + ip);
    }

    /**
     * Issue 23: a bound client that DISCOVERs again without REQUESTing (a PXE ROM on every boot) keeps its
     * binding (RFC 2131 §4.3.1): once the offer hold (3 s here) has passed, a client with another MAC asking
     * for that exact address gets a different one, the lease list still shows the binding, and a kill -9 and
     * restart (journal replay) leave it bound too.
     */
    @Test
    @Order(6)
    void aBoundClientsDiscoverWithoutRequestKeepsItsBinding() throws Exception {
        String holder = "52:54:00:aa:00:06";
        net.must("ip", "-n", net.client, "link", "set", "vc", "address", holder);
        String ip = udhcpc().get("ip");
        JsonNode bound = leaseAt(ip);
        assertEquals("active", bound.get("state").asText(), bound.toString());

        DhcpPacket offer = discoverOnly(MacAddress.parse(holder));
        assertEquals(MessageType.OFFER, offer.options().messageType().orElseThrow());
        assertEquals(ip, offer.yiaddr().toString(), "a bound client is offered its own address");
        assertEquals(bound, leaseAt(ip), "an offer to the holder changes nothing in its binding");

        Thread.sleep(5_000); // past the 3 s offer hold
        net.must("ip", "-n", net.client, "link", "set", "vc", "address", "52:54:00:aa:00:07");
        String other = udhcpc("-r", ip).get("ip");
        assertNotEquals(ip, other, "another MAC was given the bound address; anvild log:\n" + daemon.log());
        assertEquals(bound, leaseAt(ip), "still bound to " + holder + ", same expiry");

        daemon.kill();
        startDaemon();
        JsonNode replayed = leaseAt(ip); // the journal keeps whole seconds
        assertEquals(holder, replayed.get("mac").asText(), replayed.toString());
        assertEquals("active", replayed.get("state").asText(), "after a kill -9 and restart: " + replayed);
        assertEquals(
                java.time.Instant.parse(bound.get("expires").asText()).getEpochSecond(),
                java.time.Instant.parse(replayed.get("expires").asText()).getEpochSecond(),
                replayed.toString());
        assertEquals(
                Ipv4Address.parse(ip), discoverOnly(MacAddress.parse(holder)).yiaddr());
    }

    /**
     * Issue 24, bad input: a UEFI HTTP-boot client of an architecture Anvil has no loader for (RISC-V 64-bit, arch
     * 0x1c, as busybox udhcpc claims it) gets its address and no boot answer; anvild logs one clear line naming the
     * client, its node and the architecture, however often it asks (one a minute), and the node's timeline says why.
     */
    @Test
    @Order(7)
    void aClientOfAnArchitectureWithoutALoaderGetsNoBootAnswerAndOneLogLine() throws Exception {
        String mac = "52:54:00:aa:00:0c";
        net.must("ip", "-n", net.client, "link", "set", "vc", "address", mac);
        Http.Reply created = api(
                "POST",
                "/api/v1/nodes",
                "{\"name\":\"rv.it.test\",\"macs\":[\"" + mac + "\"],\"addresses\":{\"admin\":\"10.231.0.44\"}}");
        assertEquals(201, created.status(), created.body());
        for (int i = 0; i < 3; i++) {
            Map<String, String> env = udhcpc("-V", "HTTPClient:Arch:00028:UNDI:003000", "-x", "0x5d:001c");
            assertEquals("10.231.0.44", env.get("ip"), env.toString());
            assertTrue(env.get("boot_file") == null || env.get("boot_file").isEmpty(), env.toString());
        }
        String want = "dhcp: " + mac + " (node rv.it.test): client architecture 28 (0x1c, RISC-V 64-bit UEFI HTTP boot)"
                + " (vendor class HTTPClient:Arch:00028:UNDI:003000): Anvil has no loader for it";
        long lines = daemon.log().lines().filter(l -> l.contains(want)).count();
        assertEquals(1, lines, "one line for six packets (DISCOVER and REQUEST, three times); log:\n" + daemon.log());
        String timeline = "";
        for (int i = 0; i < 50 && !timeline.contains("noLoader"); i++) {
            Thread.sleep(100); // timeline events are stored off the packet threads
            timeline = api("GET", "/api/v1/nodes/rv.it.test/timeline", null).body();
        }
        assertTrue(timeline.contains("noLoader=\\\"client architecture 28 (0x1c"), timeline);
    }
}
