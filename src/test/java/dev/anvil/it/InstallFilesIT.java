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
    static Http boot;

    @BeforeAll
    static void start() throws Exception {
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\ndns: {enabled: false}\n"
                        + "tftp: {enabled: false}\nlifecycle: {aliveIntervalSeconds: 0}\n"
                        + "install: {sshKeys: [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGvVh3Wcbl8VrDcoHRk1nmVKwnSmuZr0ifGz8Kr0r4hF "
                        + "admin@anvil\"], ntp: [ntp.cluster.test]}\n"
                        // Loopback addresses stand in for the nodes' own: a request from 127.0.2.x is "from the node".
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 127.0.0.0/16, staticRange: 127.0.2.1-127.0.2.99, domain: cluster.test,\n"
                        + "     serverAddress: 127.0.0.1, router: 127.0.0.1}\n");
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
        http = daemon.api();
        boot = daemon.boot();
    }

    /** The boot listener asked from the node's own address. */
    static Http fromNode(String name) throws Exception {
        return boot.from(
                http.get("/api/v1/nodes/" + name).json().at("/addresses/0/ipv4").asText());
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    static void node(String name, String mac, String bootEnv) throws Exception {
        Http.Reply r = http.post(
                "/api/v1/nodes",
                "{\"name\":\"" + name + "\",\"macs\":[\"" + mac + "\"]," + "\"bootEnv\":\"" + bootEnv + "\"}");
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
        Http k1 = fromNode("k1");
        Http.Reply ks = k1.get("/nodes/k1.cluster.test/install.cfg");
        assertEquals(200, ks.status(), ks.body());
        assertTrue(ks.body().contains("k1") && ks.body().contains("/install/centos-stream-9"), ks.body());
        Http.Reply post = k1.get("/nodes/52-54-00-00-01-01/post-install.sh");
        assertEquals(200, post.status(), post.body());
        String token = token(post.body());
        assertTrue(ks.body().contains(token) || ks.body().contains("post-install.sh"), ks.body());
        assertEquals(
                "install-pending",
                http.get("/api/v1/nodes/k1").json().path("state").asText(),
                "fetching the answer file changes nothing");

        String cb = "/api/v1/nodes/k1.cluster.test/install-complete";
        assertEquals(
                403, boot.post(cb, "{\"token\":\"" + "x".repeat(43) + "\"}").status());
        assertEquals(400, boot.post(cb, "{\"nope\":1}").status());
        assertEquals(
                "centos-stream-9-install",
                http.get("/api/v1/nodes/k1").json().path("bootEnv").asText());
        assertEquals(
                403,
                boot.post("/api/v1/nodes/k1.cluster.test/installing", "{\"token\":\"" + "y".repeat(43) + "\"}")
                        .status());
        assertEquals(
                200,
                boot.post("/api/v1/nodes/k1.cluster.test/installing", "{\"token\":\"" + token + "\"}")
                        .status());
        assertEquals(
                "installing", http.get("/api/v1/nodes/k1").json().path("state").asText());

        assertEquals(204, boot.post(cb, "{\"token\":\"" + token + "\"}").status());
        var n = http.get("/api/v1/nodes/k1").json();
        assertEquals("local", n.path("bootEnv").asText());
        assertEquals("installed", n.path("state").asText());
        assertEquals(403, boot.post(cb, "{\"token\":\"" + token + "\"}").status(), "a token works once");
        assertEquals(404, k1.get("/nodes/k1.cluster.test/install.cfg").status(), "no answer file once installed");
        assertTrue(boot.get("/nodes/k1.cluster.test/boot.ipxe").body().contains("sanboot"));

        // Redeployed and sent to an installer again: a new token, the old one stays dead.
        assertEquals(
                409,
                http.post("/api/v1/nodes/k1/actions/install", "{\"os\":\"fedora-40\"}")
                        .status(),
                "an installed node is redeployed first");
        assertEquals(200, http.post("/api/v1/nodes/k1/actions/redeploy", "").status());
        assertEquals(
                200,
                http.post("/api/v1/nodes/k1/actions/install", "{\"os\":\"fedora-40\"}")
                        .status());
        assertEquals(200, k1.get("/nodes/k1.cluster.test/install.cfg").status());
        String again = token(k1.get("/nodes/k1.cluster.test/post-install.sh").body());
        assertNotEquals(token, again);
        assertEquals(403, boot.post(cb, "{\"token\":\"" + token + "\"}").status());
        assertEquals(
                200,
                boot.post("/api/v1/nodes/k1.cluster.test/installing", "{\"token\":\"" + again + "\"}")
                        .status());
        assertEquals(204, boot.post(cb, "{\"token\":\"" + again + "\"}").status());
        var history = http.get("/api/v1/nodes/k1/history").json();
        StringBuilder states = new StringBuilder();
        history.forEach(h -> states.append(h.path("to").asText()).append(' '));
        assertEquals(
                "install-pending installing installed discovering install-pending installing installed ",
                states.toString());
    }

    /** Answer files carry the install token: only the node itself gets them, anyone else the 404 of no node. */
    @Test
    void answerFilesGoOnlyToTheNodeItself() throws Exception {
        node("o1.cluster.test", "52:54:00:00:05:01", "centos-stream-9-install");
        node("o2.cluster.test", "52:54:00:00:05:02", "centos-stream-9-install");
        Http o1 = fromNode("o1");
        for (String f : List.of("install.cfg", "post-install.sh", "meta-data", "vendor-data", "user-data")) {
            assertEquals(404, o1.get("/nodes/o2.cluster.test/" + f).status(), "o1 asking for o2's " + f);
            assertEquals(404, boot.get("/nodes/o2.cluster.test/" + f).status(), "the admin node's own address, " + f);
            assertEquals(
                    404,
                    boot.from("127.0.3.7").get("/nodes/o2.cluster.test/" + f).status(),
                    "a stranger, " + f);
        }
        Http.Reply own = fromNode("o2").get("/nodes/o2.cluster.test/install.cfg");
        assertEquals(200, own.status(), own.body());
        assertEquals(
                200,
                fromNode("o2")
                        .send("HEAD", "/nodes/o2.cluster.test/install.cfg", null)
                        .status());
        assertEquals(
                "install-pending",
                http.get("/api/v1/nodes/o2").json().path("state").asText(),
                "neither GET nor HEAD changes the node");
        assertTrue(
                daemon.log().contains("refused /nodes/o2.cluster.test/install.cfg of node o2.cluster.test"),
                "the refusal is logged");
        // Not being installed (a node booting from disk): no answer file even for the node itself.
        assertEquals(200, http.post("/api/v1/nodes/o2/actions/fail", "{}").status());
        assertEquals(
                404, fromNode("o2").get("/nodes/o2.cluster.test/install.cfg").status());
    }

    @Test
    void bootConfigsByNodeName() throws Exception {
        node("b1.cluster.test", "52:54:00:00:02:01", "debian-12-install");
        String ipxe = boot.get("/nodes/b1.cluster.test/boot.ipxe").body();
        assertTrue(ipxe.startsWith("#!ipxe") && ipxe.contains("/install/debian-12/install.amd/vmlinuz"), ipxe);
        assertTrue(ipxe.contains("url=http://127.0.0.1:"), ipxe);
        String grub = boot.get("/nodes/52:54:00:00:02:01/grub.cfg").body();
        assertTrue(grub.contains("install.amd/vmlinuz"), grub);
        assertEquals(404, boot.get("/nodes/nobody.cluster.test/install.cfg").status());
    }

    @Test
    void cloudInitNoCloudFiles() throws Exception {
        node("u1.cluster.test", "52:54:00:00:03:01", "ubuntu-24.04-install");
        Http u1 = fromNode("u1");
        Http.Reply ud = u1.get("/nodes/u1.cluster.test/user-data");
        assertEquals(200, ud.status(), ud.body());
        assertTrue(ud.body().startsWith("#cloud-config") && ud.body().contains("autoinstall:"), ud.body());
        assertEquals(
                "instance-id: u1.cluster.test\nlocal-hostname: u1\n",
                u1.get("/nodes/u1.cluster.test/meta-data").body());
        assertEquals(200, u1.get("/nodes/u1.cluster.test/vendor-data").status());
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
            Http.Reply r = fromNode(c[0]).get("/nodes/" + c[0] + "/install.cfg");
            assertEquals(200, r.status(), r.body());
            assertTrue(r.body().contains(c[0].split("\\.")[0]), c[2] + " names the node: " + r.body());
            validate(c[3], c[2] + ".cfg", r.body());
            validate(
                    "post-install",
                    c[2] + ".post.sh",
                    fromNode(c[0]).get("/nodes/" + c[0] + "/post-install.sh").body());
        }
    }

    /**
     * The first step of every shipped answer file, cut out of the file the daemon rendered and run by sh here
     * (curl; preseed with busybox wget when busybox is installed, as in debian-installer): a wrong token
     * changes nothing and still exits 0 (best effort), the node's token moves it to installing.
     */
    @Test
    void theFirstStepOfEveryAnswerFileReportsInstalling() throws Exception {
        String[][] cases = {
            {"f-ks.cluster.test", "52:54:00:00:06:01", "centos-stream-9-install", "(?s)\n%pre\n(.*?)\n%end\n"},
            {
                "f-deb.cluster.test",
                "52:54:00:00:06:02",
                "debian-12-install",
                "\nd-i preseed/early_command string (for anvil_try in .*?; done;)"
            },
            {"f-u24.cluster.test", "52:54:00:00:06:03", "ubuntu-24.04-install", "\n  early-commands:\n    - \"(.*)\"\n"
            },
            {"f-suse.cluster.test", "52:54:00:00:06:04", "opensuse-leap-15.6-install", "(?s)<!\\[CDATA\\[(.*?)]]>"},
        };
        Path bin = Files.createDirectories(tmp.resolve("first-step-bin"));
        Path busybox = Path.of("/usr/bin/busybox");
        if (Files.isExecutable(busybox) && !Files.exists(bin.resolve("wget"))) {
            Files.createSymbolicLink(bin.resolve("wget"), busybox);
        }
        String bootBase = daemon.bootBase().toString().replaceAll("/$", "");
        for (String[] c : cases) {
            node(c[0], c[1], c[2]);
            String cfg = fromNode(c[0]).get("/nodes/" + c[0] + "/install.cfg").body();
            Matcher m = Pattern.compile(c[3]).matcher(cfg);
            assertTrue(m.find(), c[2] + ": no first step in\n" + cfg);
            String step = m.group(1).replace("\\\"", "\"");
            String token = token(step);
            assertTrue(step.contains(bootBase + "/api/v1/nodes/" + c[0] + "/installing"), step);

            assertEquals(0, sh(bin, step.replace(token, "z".repeat(43))), c[2] + ": a failed report must not fail");
            assertEquals(
                    "install-pending",
                    http.get("/api/v1/nodes/" + c[0]).json().path("state").asText(),
                    c[2]);
            assertEquals(0, sh(bin, step), c[2] + ": " + step);
            assertEquals(
                    "installing",
                    http.get("/api/v1/nodes/" + c[0]).json().path("state").asText(),
                    c[2]);
        }
    }

    static int sh(Path bin, String script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + script);
        System.out.println("first step: exit " + p.exitValue() + " " + out.strip());
        return p.exitValue();
    }

    static void validate(String kind, String fileName, String text) throws Exception {
        Path f = tmp.resolve(fileName);
        Files.writeString(f, text);
        Path script = Path.of("src/test/resources/render/validate.sh").toAbsolutePath();
        Process p = new ProcessBuilder(List.of("bash", script.toString(), kind, f.toString()))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "validator timed out");
        assertEquals(0, p.exitValue(), kind + " validator rejected " + fileName + ":\n" + out + "\n---\n" + text);
    }
}
