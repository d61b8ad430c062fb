package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rendered per-node files and the install callback, against the real daemon: every shipped answer file is
 * rendered for a node and checked by the real validator for its format; the token is single use.
 */
class InstallFilesIT {
  static final Pattern TOKEN = Pattern.compile("\"token\":\"([A-Za-z0-9_-]{43})\"");

  @TempDir
  static Path tmp;
  static DaemonProcess daemon;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    Path cfg = tmp.resolve("anvil.yaml");
    Files.writeString(cfg, "http: {listen: \"127.0.0.1:0\"}\ndhcp: {enabled: false}\ndns: {enabled: false}\n"
        + "tftp: {enabled: false}\nlifecycle: {aliveIntervalSeconds: 0}\n"
        + "install: {sshKeys: [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGvVh3Wcbl8VrDcoHRk1nmVKwnSmuZr0ifGz8Kr0r4hF "
        + "admin@anvil\"], ntp: [ntp.cluster.test]}\n"
        + "networks:\n"
        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,\n"
        + "     serverAddress: 10.10.0.1, router: 10.10.0.1}\n");
    daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
    http = new Http(daemon.base());
  }

  @AfterAll
  static void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
  }

  static void node(String name, String mac, String bootEnv) throws Exception {
    Http.Reply r = http.post("/api/v1/nodes", "{\"name\":\"" + name + "\",\"macs\":[\"" + mac + "\"],"
        + "\"bootEnv\":\"" + bootEnv + "\"}");
    assertEquals(201, r.status(), r.body());
  }

  static String token(String text) {
    Matcher m = TOKEN.matcher(text);
    assertTrue(m.find(), "no token in " + text);
    return m.group(1);
  }

  @Test
  void theCallbackTokenWorksOnceAndMovesTheNodeToLocalBoot() throws Exception {
    node("k1.cluster.test", "52:54:00:00:01:01", "centos-stream-9-install");
    Http.Reply ks = http.get("/nodes/k1.cluster.test/install.cfg");
    assertEquals(200, ks.status(), ks.body());
    assertTrue(ks.body().contains("k1") && ks.body().contains("/install/centos-stream-9"), ks.body());
    Http.Reply post = http.get("/nodes/52-54-00-00-01-01/post-install.sh");
    assertEquals(200, post.status(), post.body());
    String token = token(post.body());
    assertTrue(ks.body().contains(token) || ks.body().contains("post-install.sh"), ks.body());

    String cb = "/api/v1/nodes/k1.cluster.test/install-complete";
    assertEquals(403, http.post(cb, "{\"token\":\"" + "x".repeat(43) + "\"}").status());
    assertEquals(400, http.post(cb, "{\"nope\":1}").status());
    assertEquals("centos-stream-9-install", http.get("/api/v1/nodes/k1").json().path("bootEnv").asText());

    assertEquals(204, http.post(cb, "{\"token\":\"" + token + "\"}").status());
    var n = http.get("/api/v1/nodes/k1").json();
    assertEquals("local", n.path("bootEnv").asText());
    assertEquals("installed", n.path("state").asText());
    assertEquals(403, http.post(cb, "{\"token\":\"" + token + "\"}").status(), "a token works once");
    assertEquals(404, http.get("/nodes/k1.cluster.test/install.cfg").status());
    assertTrue(http.get("/nodes/k1.cluster.test/boot.ipxe").body().contains("sanboot"));

    // Redeployed and sent to an installer again: a new token, the old one stays dead.
    assertEquals(409, http.post("/api/v1/nodes/k1/actions/install", "{\"os\":\"fedora-40\"}").status(),
        "an installed node is redeployed first");
    assertEquals(200, http.post("/api/v1/nodes/k1/actions/redeploy", "").status());
    assertEquals(200, http.post("/api/v1/nodes/k1/actions/install", "{\"os\":\"fedora-40\"}").status());
    assertEquals(200, http.get("/nodes/k1.cluster.test/install.cfg").status());
    String again = token(http.get("/nodes/k1.cluster.test/post-install.sh").body());
    assertNotEquals(token, again);
    assertEquals(403, http.post(cb, "{\"token\":\"" + token + "\"}").status());
    assertEquals(204, http.post(cb, "{\"token\":\"" + again + "\"}").status());
    var history = http.get("/api/v1/nodes/k1/history").json();
    StringBuilder states = new StringBuilder();
    history.forEach(h -> states.append(h.path("to").asText()).append(' '));
    assertEquals("install-pending installing installed discovering install-pending installing installed ",
        states.toString());
  }

  @Test
  void bootConfigsByNodeName() throws Exception {
    node("b1.cluster.test", "52:54:00:00:02:01", "debian-12-install");
    String ipxe = http.get("/nodes/b1.cluster.test/boot.ipxe").body();
    assertTrue(ipxe.startsWith("#!ipxe") && ipxe.contains("/install/debian-12/install.amd/vmlinuz"), ipxe);
    assertTrue(ipxe.contains("url=http://10.10.0.1:"), ipxe);
    String grub = http.get("/nodes/52:54:00:00:02:01/grub.cfg").body();
    assertTrue(grub.contains("install.amd/vmlinuz"), grub);
    assertEquals(404, http.get("/nodes/nobody.cluster.test/install.cfg").status());
  }

  @Test
  void cloudInitNoCloudFiles() throws Exception {
    node("u1.cluster.test", "52:54:00:00:03:01", "ubuntu-24.04-install");
    Http.Reply ud = http.get("/nodes/u1.cluster.test/user-data");
    assertEquals(200, ud.status(), ud.body());
    assertTrue(ud.body().startsWith("#cloud-config") && ud.body().contains("autoinstall:"), ud.body());
    assertEquals("instance-id: u1.cluster.test\nlocal-hostname: u1\n",
        http.get("/nodes/u1.cluster.test/meta-data").body());
    assertEquals(200, http.get("/nodes/u1.cluster.test/vendor-data").status());
  }

  /** Every shipped answer file, rendered by the daemon, passes the real validator for its format. */
  @Test
  void everyShippedAnswerFilePassesItsValidator() throws Exception {
    String[][] cases = {
        {"v-ks.cluster.test", "52:54:00:00:04:01", "centos-stream-9-install", "kickstart"},
        {"v-fed.cluster.test", "52:54:00:00:04:02", "fedora-40-install", "kickstart"},
        {"v-deb.cluster.test", "52:54:00:00:04:03", "debian-12-install", "preseed"},
        {"v-u12.cluster.test", "52:54:00:00:04:04", "ubuntu-12.04-install", "preseed"},
        {"v-u22.cluster.test", "52:54:00:00:04:05", "ubuntu-22.04-install", "autoinstall"},
        {"v-u24.cluster.test", "52:54:00:00:04:06", "ubuntu-24.04-install", "autoinstall"},
        {"v-suse.cluster.test", "52:54:00:00:04:07", "opensuse-leap-15.6-install", "autoyast"},
        {"v-sles.cluster.test", "52:54:00:00:04:08", "sles-15-install", "autoyast"},
    };
    for (String[] c : cases) {
      node(c[0], c[1], c[2]);
      Http.Reply r = http.get("/nodes/" + c[0] + "/install.cfg");
      assertEquals(200, r.status(), r.body());
      assertTrue(r.body().contains(c[0].split("\\.")[0]), c[2] + " names the node: " + r.body());
      validate(c[3], c[2] + ".cfg", r.body());
      validate("post-install", c[2] + ".post.sh", http.get("/nodes/" + c[0] + "/post-install.sh").body());
    }
  }

  static void validate(String kind, String fileName, String text) throws Exception {
    Path f = tmp.resolve(fileName);
    Files.writeString(f, text);
    Path script = Path.of("src/test/resources/render/validate.sh").toAbsolutePath();
    Process p = new ProcessBuilder(List.of("bash", script.toString(), kind, f.toString()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "validator timed out");
    assertEquals(0, p.exitValue(), kind + " validator rejected " + fileName + ":\n" + out + "\n---\n" + text);
  }
}
