package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.os.TestTrees;
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
 * package xorriso) from small fake trees, then the files fetched back over HTTP. Through the API an import is
 * a task (202, polled at its {@code Location}); one whose extractor hangs (a fake {@code xorriso} first on the
 * daemon's PATH) shows its progress, leaves the API answering, is failed by a restart and killed, with the
 * processes it started, by the import timeout.
 */
class OsImportIT {
    @TempDir
    static Path tmp;

    static Path cfg;
    /** The same with {@code install.importTimeoutSeconds: 1}. */
    static Path cfgTimeout;

    @BeforeAll
    static void config() throws Exception {
        cfg = tmp.resolve("anvil.yaml");
        cfgTimeout = tmp.resolve("anvil-timeout.yaml");
        for (Path p : List.of(cfg, cfgTimeout)) {
            Files.writeString(
                    p,
                    "dhcp: {enabled: false}\ndns: {enabled: false}\n"
                            + "tftp: {enabled: false}\n"
                            + "install: {importRoots: [\"" + tmp.resolve("images") + "\"]"
                            + (p == cfgTimeout ? ", importTimeoutSeconds: 1" : "") + "}\n"
                            + "networks:\n"
                            + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,\n"
                            + "     serverAddress: 10.10.0.1}\n");
        }
    }

    /** Posts an import: 202 at once with the queued task and its Location; returns the task's path. */
    static String postImport(Http http, String os, Path source) throws Exception {
        long t0 = System.nanoTime();
        Http.Reply r = http.post("/api/v1/oses/" + os + "/import", "{\"source\":\"" + source + "\"}");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(202, r.status(), r.body());
        assertTrue(ms < 1000, "the answer does not wait for the import: " + ms + " ms");
        JsonNode t = r.json();
        assertEquals("import", t.path("kind").asText(), r.body());
        assertEquals(os, t.path("os").asText(), r.body());
        assertEquals(source.toString(), t.path("source").asText(), r.body());
        assertTrue(t.path("nodeId").isNull(), r.body());
        String location = "/api/v1/tasks/" + t.path("id").asLong();
        assertEquals(location, r.headers().firstValue("location").orElse(null));
        return location;
    }

    /** Polls a task until {@code done} holds (at most 60 s); returns it. */
    static JsonNode awaitTask(Http http, String location, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode t = http.get(location).json();
        while (!done.test(t)) {
            assertTrue(System.nanoTime() < end, "task never got there: " + t);
            Thread.sleep(50);
            t = http.get(location).json();
        }
        return t;
    }

    static JsonNode awaitEnd(Http http, String location) throws Exception {
        return awaitTask(http, location, t -> t.path("state").asText().matches("done|failed"));
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
        Run r = run(
                List.of("xorriso", "-as", "mkisofs", "-R", "-J", "-V", "FAKE", "-o", iso.toString(), dir.toString()));
        assertEquals(0, r.code(), r.output());
        return iso;
    }

    static Run anvildImport(Path state, String os, Path source) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                DaemonProcess.launcher().toString(),
                "import",
                os,
                source.toString(),
                "--config",
                cfg.toString(),
                "--state-dir",
                state.toString()));
        return run(cmd);
    }

    @Test
    void importAnIsoWithTheCliThenServeIt() throws Exception {
        Path state = tmp.resolve("state-cli");
        Path src = tree(
                "centos",
                "images/pxeboot/vmlinuz",
                "KERNEL-CENTOS",
                "images/pxeboot/initrd.img",
                "INITRD",
                ".treeinfo",
                "[general]\nname = CentOS Stream 9\n",
                "BaseOS/Packages/a.rpm",
                "RPM");
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
            assertFalse(
                    http.get("/api/v1/oses/fedora-40").json().path("imported").asBoolean());
            assertEquals(
                    "KERNEL-CENTOS",
                    d.boot()
                            .get("/install/centos-stream-9/images/pxeboot/vmlinuz")
                            .body());
            assertEquals(
                    "RPM",
                    d.boot()
                            .get("/install/centos-stream-9/BaseOS/Packages/a.rpm")
                            .body());
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
            JsonNode t = awaitEnd(http, postImport(http, "fedora-40", fedora));
            assertEquals("done", t.path("state").asText(), t.toString());
            assertEquals(2, t.at("/progress/files").asLong(), t.toString());
            assertEquals(14, t.at("/progress/bytes").asLong(), t.toString());
            assertTrue(
                    t.path("log")
                            .asText()
                            .contains("imported 2 files, 14 bytes into " + state.resolve("install")
                                    + "/fedora-40 with cp in "),
                    t.toString());
            assertEquals(
                    "KERNEL-FEDORA",
                    d.boot().get("/install/fedora-40/images/pxeboot/vmlinuz").body());

            t = awaitEnd(http, postImport(http, "ubuntu-24.04", ubuntuIso));
            assertEquals("done", t.path("state").asText(), t.toString());
            assertTrue(t.path("log").asText().contains("with xorriso in "), t.toString());
            assertEquals(
                    "KERNEL-UBUNTU",
                    d.boot().get("/install/ubuntu-24.04/casper/vmlinuz").body());
            Http.Reply head = d.boot().send("HEAD", "/install/ubuntu-24.04/install.iso", null);
            assertEquals(200, head.status());
            assertEquals(
                    Files.size(ubuntuIso),
                    head.headers().firstValueAsLong("content-length").orElse(-1),
                    "the live ISO is kept for casper");

            assertEquals(
                    404,
                    http.post("/api/v1/oses/plan9/import", "{\"source\":\"" + fedora + "\"}")
                            .status());
            assertEquals(
                    400,
                    http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"relative/dir\"}")
                            .status());
            assertEquals(
                    400,
                    http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"/no/such/file.iso\"}")
                            .status());
            // Outside the import roots: refused, naming the roots; also through ".." and through a symlink.
            Http.Reply out = http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"/etc\"}");
            assertEquals(400, out.status(), out.body());
            assertTrue(
                    out.body().contains(tmp.resolve("images").toString())
                            && out.body().contains("import root"),
                    out.body());
            assertEquals(
                    400,
                    http.post(
                                    "/api/v1/oses/fedora-40/import",
                                    "{\"source\":\"" + tmp.resolve("images") + "/../state-api\"}")
                            .status());
            Path link = tmp.resolve("images").resolve("etc-link");
            Files.createSymbolicLink(link, Path.of("/etc"));
            assertEquals(
                    400,
                    http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"" + link + "\"}")
                            .status());
            // A broken import keeps the tree that was there: a directory is checked at once (400), an ISO once it
            // is extracted (the task fails).
            Path empty = tree("empty", "README", "nothing");
            Http.Reply refused = http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"" + empty + "\"}");
            assertEquals(400, refused.status(), refused.body());
            assertTrue(refused.body().contains("does not hold images/pxeboot/vmlinuz"), refused.body());
            t = awaitEnd(http, postImport(http, "fedora-40", iso(empty)));
            assertEquals("failed", t.path("state").asText(), t.toString());
            assertTrue(t.path("error").asText().contains("does not hold images/pxeboot/vmlinuz"), t.toString());
            assertEquals(
                    "KERNEL-FEDORA",
                    d.boot().get("/install/fedora-40/images/pxeboot/vmlinuz").body());
            assertEquals(List.of(), TestTrees.leftovers(state.resolve("install")));
        }
    }

    @Test
    void aHungImportRunsAsATaskARestartFailsItAndTheTimeoutKillsIt() throws Exception {
        Path state = tmp.resolve("state-hung");
        Path root = state.resolve("install");
        Path bin = TestTrees.hangingExtractor(tmp.resolve("hung-bin"));
        List<String> hungPath = List.of("env", "PATH=" + bin + ":" + System.getenv("PATH"));
        Path iso = Files.writeString(
                Files.createDirectories(tmp.resolve("images")).resolve("hung.iso"), "never read: the extractor hangs");
        String location;
        try (DaemonProcess d = DaemonProcess.start(hungPath, state, "127.0.0.1:0", "--config", cfg.toString())) {
            Http http = d.api();
            location = postImport(http, "fedora-40", iso);
            // A second import of the same OS while this one runs: 409.
            assertEquals(
                    409,
                    http.post("/api/v1/oses/fedora-40/import", "{\"source\":\"" + iso + "\"}")
                            .status());
            JsonNode t = awaitTask(http, location, x -> x.at("/progress/files").asLong() == 1);
            assertEquals("running", t.path("state").asText(), "progress shows while the extractor runs: " + t);
            assertEquals(8, t.at("/progress/bytes").asLong(), t.toString());
            // The API answers while the import runs.
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                assertEquals(200, http.get("/api/v1/status").status());
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms < 1000, "GET /api/v1/status took " + ms + " ms during an import");
            }
            JsonNode status = http.get("/api/v1/status").json();
            assertEquals(1, status.at("/services/imports/metrics/running").asInt(), status.toString());
            d.kill();
        }
        List<Long> orphans = TestTrees.extractorPids(bin);
        assertEquals(2, orphans.size(), orphans.toString());
        // After a SIGKILL: the task fails, and what it left (the extractor still hangs) is killed and removed.
        try (DaemonProcess d = DaemonProcess.start(hungPath, state, "127.0.0.1:0", "--config", cfgTimeout.toString())) {
            Http http = d.api();
            JsonNode t = http.get(location).json();
            assertEquals("failed", t.path("state").asText(), t.toString());
            assertEquals("interrupted by a restart", t.path("error").asText(), t.toString());
            assertEquals(1, t.at("/progress/files").asLong(), "how far it came is kept: " + t);
            for (long pid : orphans) {
                assertTrue(TestTrees.gone(pid), "the extractor the dead daemon left, pid " + pid + ", is killed");
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!TestTrees.leftovers(root).isEmpty()) {
                assertTrue(System.nanoTime() < end, "left behind: " + TestTrees.leftovers(root));
                Thread.sleep(50);
            }
            assertFalse(
                    http.get("/api/v1/oses/fedora-40").json().path("imported").asBoolean());

            // install.importTimeoutSeconds: 1; the extractor never ends: killed with its child, the task failed.
            long t0 = System.nanoTime();
            t = awaitEnd(http, postImport(http, "fedora-40", iso));
            double s = (System.nanoTime() - t0) / 1e9;
            assertEquals("failed", t.path("state").asText(), t.toString());
            assertTrue(
                    t.path("error")
                            .asText()
                            .contains("xorriso ran past the import timeout of 1 s "
                                    + "(install.importTimeoutSeconds) and was killed"),
                    t.toString());
            assertTrue(s < 10, "failed at its timeout: " + s + " s");
            List<Long> pids = TestTrees.extractorPids(bin);
            assertEquals(4, pids.size(), pids.toString());
            for (long pid : pids) {
                assertTrue(TestTrees.gone(pid), "pid " + pid + " of the timed-out extractor is killed");
            }
            assertEquals(List.of(), TestTrees.leftovers(root));
            assertFalse(
                    http.get("/api/v1/oses/fedora-40").json().path("imported").asBoolean());
            JsonNode status = http.get("/api/v1/status").json();
            assertEquals(1, status.at("/services/imports/metrics/timedOut").asInt(), status.toString());
            assertEquals(1, status.at("/services/imports/metrics/failed").asInt(), status.toString());
        }
    }
}
