package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
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
 * nothing. (The high-port path is exercised by DhcpLoadIT on loopback.)
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
      System.err.println("*** DhcpIT SKIPPED: cannot create network namespaces here (needs root and iproute2) ***");
      Assumptions.abort("cannot create network namespaces");
    }
    net = Netns.create("10.231.0.1/24");
    Path cfg = tmp.resolve("anvil.yaml");
    Files.writeString(cfg, """
        http: {listen: "127.0.0.1:0"}
        dhcp: {listen: "0.0.0.0:67", interfaces: [vs], leaseTime: 600, pingCheckMillis: 300}
        tftp: {enabled: false}
        dns: {enabled: false}
        networks:
          - {name: admin, id: 1, cidr: 10.231.0.0/24, staticRange: 10.231.0.10-10.231.0.99,
             dhcpPool: 10.231.0.100-10.231.0.150, domain: it.test, serverAddress: 10.231.0.1}
        """);
    daemon = DaemonProcess.start(net.inServer(), tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
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
    Netns.Result r = body == null
        ? net.inServer(30, "curl", "-sS", "-w", "\n%{http_code}", "-X", method, daemon.auth()[0], daemon.auth()[1],
            daemon.uri(path).toString())
        : net.inServer(30, "curl", "-sS", "-w", "\n%{http_code}", "-X", method, daemon.auth()[0], daemon.auth()[1],
            "-H", "Content-Type: application/json",
            "--data", body, daemon.uri(path).toString());
    assertEquals(0, r.code(), r.output());
    int nl = r.output().lastIndexOf('\n');
    return new Http.Reply(Integer.parseInt(r.output().substring(nl + 1).trim()), r.output().substring(0, nl), null);
  }

  /** Runs udhcpc once in the client namespace; returns the variables its script saw on "bound". */
  static Map<String, String> udhcpc(String... extra) throws Exception {
    Path out = tmp.resolve("bound.env");
    Files.deleteIfExists(out);
    Path script = tmp.resolve("udhcpc.sh");
    Files.writeString(script, "#!/bin/sh\n[ \"$1\" = bound ] && env > " + out + "\nexit 0\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    String[] cmd = new String[] {"busybox", "udhcpc", "-i", "vc", "-f", "-q", "-n", "-t", "5", "-T", "2", "-s",
        script.toString()};
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
    Http.Reply created = api("POST", "/api/v1/nodes",
        "{\"name\":\"n2.it.test\",\"macs\":[\"52:54:00:aa:00:02\"],\"addresses\":{\"admin\":\"10.231.0.42\"}}");
    assertEquals(201, created.status(), created.body());
    Map<String, String> env = udhcpc("-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007");
    assertEquals("10.231.0.42", env.get("ip"), env.toString());
    assertEquals("n2", env.get("hostname"));
    assertEquals("snponly.efi", env.get("boot_file"));
    assertEquals("10.231.0.1", env.get("siaddr"));
    // The boot environment changes take effect on the very next packet: local boot means no boot file.
    assertEquals(200, api("PATCH", "/api/v1/nodes/n2.it.test", "{\"bootEnv\":\"local\"}").status());
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
    Netns.Result r = net.inClient(60, "timeout", "50", "dhclient", "-1", "-v", "-sf", "/bin/true",
        "-pf", pid.toString(), "-lf", leases.toString(), "vc");
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
    Netns.Result r = net.inClient(60, "perfdhcp", "-4", "-l", "10.231.0.2", "-r", "20",
        "-R", "20", "-n", "20", "-W", "5000000", "10.231.0.1");
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
      highest = Math.max(highest, dev.anvil.core.net.Ipv4Address.parse(l.get("ip").asText()).unsigned());
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
}
