package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anvild import} and {@code POST /api/v1/oses/{name}/import} with ISO images made by xorriso (Debian
 * package xorriso) from small fake trees, then the files fetched back over HTTP.
 */
class OsImportIT {
  @TempDir
  static Path tmp;
  static Path cfg;

  @BeforeAll
  static void config() throws Exception {
    cfg = tmp.resolve("anvil.yaml");
    Files.writeString(cfg, "dhcp: {enabled: false}\ndns: {enabled: false}\n"
        + "tftp: {enabled: false}\n"
        + "install: {importRoots: [\"" + tmp.resolve("images") + "\"]}\n"
        + "networks:\n"
        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,\n"
        + "     serverAddress: 10.10.0.1}\n");
  }

  record Run(int code, String output) {}

  static Run run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
    return new Run(p.exitValue(), out);
  }

  /** A directory with the given files (path → content). */
  static Path tree(String name, String... pathsAndContents) throws Exception {
    Path d = Files.createDirectories(tmp.resolve("images").resolve(name));
    for (int i = 0; i < pathsAndContents.length; i += 2) {
      Path f = d.resolve(pathsAndContents[i]);
      Files.createDirectories(f.getParent());
      Files.writeString(f, pathsAndContents[i + 1]);
    }
    return d;
  }

  static Path iso(Path dir) throws Exception {
    Path iso = tmp.resolve("images").resolve(dir.getFileName() + ".iso");
    Run r = run(List.of("xorriso", "-as", "mkisofs", "-R", "-J", "-V", "FAKE", "-o", iso.toString(), dir.toString()));
    assertEquals(0, r.code(), r.output());
    return iso;
  }

  static Run anvildImport(Path state, String os, Path source) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(DaemonProcess.launcher().toString(), "import", os, source.toString(),
        "--config", cfg.toString(), "--state-dir", state.toString()));
    return run(cmd);
  }

  @Test
  void importAnIsoWithTheCliThenServeIt() throws Exception {
    Path state = tmp.resolve("state-cli");
    Path src = tree("centos", "images/pxeboot/vmlinuz", "KERNEL-CENTOS", "images/pxeboot/initrd.img", "INITRD",
        ".treeinfo", "[general]\nname = CentOS Stream 9\n", "BaseOS/Packages/a.rpm", "RPM");
    Run r = anvildImport(state, "centos-stream-9", iso(src));
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("imported centos-stream-9: 4 files"), r.output());

    Run bad = anvildImport(state, "debian-12", iso(src));
    assertEquals(2, bad.code(), bad.output());
    assertTrue(bad.output().contains("install.amd/vmlinuz"), bad.output());
    assertFalse(Files.exists(state.resolve("install/debian-12")), "a failed import leaves no tree");

    Run unknown = anvildImport(state, "plan9", iso(src));
    assertEquals(2, unknown.code(), unknown.output());

    try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
      Http http = d.api();
      JsonNode os = http.get("/api/v1/oses/centos-stream-9").json();
      assertTrue(os.path("imported").asBoolean(), os.toString());
      assertFalse(http.get("/api/v1/oses/fedora-40").json().path("imported").asBoolean());
      assertEquals("KERNEL-CENTOS", d.boot().get("/install/centos-stream-9/images/pxeboot/vmlinuz").body());
      assertEquals("RPM", d.boot().get("/install/centos-stream-9/BaseOS/Packages/a.rpm").body());
    }
  }

  @Test
  void importThroughTheApiFromADirectoryAndAnUbuntuIso() throws Exception {
    Path state = tmp.resolve("state-api");
    Path fedora = tree("fedora", "images/pxeboot/vmlinuz", "KERNEL-FEDORA", "images/pxeboot/initrd.img", "I");
    Path ubuntu = tree("ubuntu", "casper/vmlinuz", "KERNEL-UBUNTU", "casper/initrd", "I");
    Path ubuntuIso = iso(ubuntu);
    try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
      Http http = d.api();
      Http.Reply r = http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"" + fedora + "\"}");
      assertEquals(201, r.status(), r.body());
      assertEquals("KERNEL-FEDORA", d.boot().get("/install/fedora-40/images/pxeboot/vmlinuz").body());

      r = http.post("/api/v1/oses/ubuntu-24.04/import", "{\"source\":\"" + ubuntuIso + "\"}");
      assertEquals(201, r.status(), r.body());
      assertEquals("KERNEL-UBUNTU", d.boot().get("/install/ubuntu-24.04/casper/vmlinuz").body());
      Http.Reply head = d.boot().send("HEAD", "/install/ubuntu-24.04/install.iso", null);
      assertEquals(200, head.status());
      assertEquals(Files.size(ubuntuIso), head.headers().firstValueAsLong("content-length").orElse(-1),
          "the live ISO is kept for casper");

      assertEquals(404, http.post("/api/v1/oses/plan9/import", "{\"source\":\"" + fedora + "\"}").status());
      assertEquals(400, http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"relative/dir\"}").status());
      assertEquals(400, http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"/no/such/file.iso\"}").status());
      // Outside the import roots: refused, naming the roots; also through ".." and through a symlink.
      Http.Reply out = http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"/etc\"}");
      assertEquals(400, out.status(), out.body());
      assertTrue(out.body().contains(tmp.resolve("images").toString()) && out.body().contains("import root"),
          out.body());
      assertEquals(400, http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"" + tmp.resolve("images")
          + "/../state-api\"}").status());
      Path link = tmp.resolve("images").resolve("etc-link");
      Files.createSymbolicLink(link, Path.of("/etc"));
      assertEquals(400, http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"" + link + "\"}").status());
      // A broken import keeps the tree that was there.
      Path empty = tree("empty", "README", "nothing");
      assertEquals(400, http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"" + empty + "\"}").status());
      assertEquals("KERNEL-FEDORA", d.boot().get("/install/fedora-40/images/pxeboot/vmlinuz").body());
    }
  }
}
