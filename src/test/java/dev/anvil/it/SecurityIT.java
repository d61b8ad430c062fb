package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust boundary on the real daemon: the admin API answers only bearer tokens (401 without, 403 for a
 * read-only token that tries to change something), only JSON bodies change anything, and none of it is
 * reachable from the boot listener (404 there). Each promise here is listed in doc/security.md.
 */
class SecurityIT {
    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static Http admin;
    static Http anonymous;
    static Http readOnly;
    static Http boot;

    /** Every admin route: method, a concrete path, and a body that the admin token gets a non-4xx-auth answer to. */
    static final List<String[]> ADMIN_ROUTES = List.of(
            new String[] {"GET", "/api/v1/status", null},
            new String[] {"GET", "/metrics", null},
            new String[] {"GET", "/api/v1/bootenvs", null},
            new String[] {"GET", "/api/v1/bootenvs/local", null},
            new String[] {"GET", "/api/v1/leases", null},
            new String[] {"GET", "/api/v1/networks", null},
            new String[] {"GET", "/api/v1/networks/admin", null},
            new String[] {
                "POST",
                "/api/v1/networks",
                "{\"name\":\"lab\",\"id\":7,\"cidr\":\"10.77.0.0/24\","
                        + "\"staticRange\":\"10.77.0.10-10.77.0.20\",\"domain\":\"lab.test\"}"
            },
            new String[] {"DELETE", "/api/v1/networks/lab", null},
            new String[] {"GET", "/api/v1/nodes", null},
            new String[] {"POST", "/api/v1/nodes", "{\"name\":\"s1.cluster.test\",\"macs\":[\"52:54:00:5e:c0:01\"]}"},
            new String[] {"GET", "/api/v1/nodes/s1", null},
            new String[] {"PATCH", "/api/v1/nodes/s1", "{\"bootEnv\":\"local\"}"},
            new String[] {"GET", "/api/v1/nodes/s1/plan", null},
            new String[] {"GET", "/api/v1/nodes/s1/history", null},
            new String[] {"GET", "/api/v1/nodes/s1/timeline", null},
            new String[] {"GET", "/api/v1/nodes/s1/tasks", null},
            new String[] {"POST", "/api/v1/nodes/s1/actions/fail", "{\"reason\":\"test\"}"},
            new String[] {
                "PUT", "/api/v1/nodes/s1/bmc", "{\"address\":\"127.0.0.1\",\"user\":\"admin\",\"password\":\"pw\"}"
            },
            new String[] {"GET", "/api/v1/nodes/s1/bmc", null},
            new String[] {"DELETE", "/api/v1/nodes/s1/bmc", null},
            // After the DELETE: no BMC, so the admin's call is a fast 404 (no BMC is asked); the checks are the same.
            new String[] {"POST", "/api/v1/nodes/s1/power/status", null},
            new String[] {"PUT", "/api/v1/nodes/s1/bmc/next-boot", "{\"device\":\"pxe\",\"once\":true}"},
            new String[] {"GET", "/api/v1/tasks", null},
            new String[] {"GET", "/api/v1/oses", null},
            new String[] {"GET", "/api/v1/oses/debian-12", null},
            new String[] {"POST", "/api/v1/oses/debian-12/import", "{\"source\":\"/etc\"}"},
            new String[] {"GET", "/api/v1/tokens", null},
            new String[] {"POST", "/api/v1/tokens", "{\"name\":\"route-check\",\"role\":\"read-only\"}"},
            new String[] {"DELETE", "/api/v1/tokens/999999", null},
            new String[] {"DELETE", "/api/v1/nodes/s1", null});

    @BeforeAll
    static void start() throws Exception {
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0");
        admin = daemon.api();
        anonymous = new Http(daemon.base());
        boot = daemon.boot();
        Http.Reply t = admin.post("/api/v1/tokens", "{\"name\":\"viewer\",\"role\":\"read-only\"}");
        assertEquals(201, t.status(), t.body());
        readOnly = anonymous.withToken(t.json().path("token").asText());
    }

    /** A second daemon beside the class's: no DHCP, DNS or TFTP (their ports are the first one's). */
    static Path quietConfig(String name, String extra) throws Exception {
        Path cfg = tmp.resolve(name);
        Files.writeString(
                cfg,
                extra + "dhcp: {enabled: false}\n"
                        + "dns: {enabled: false}\ntftp: {enabled: false}\nlifecycle: {aliveIntervalSeconds: 0}\n"
                        + "networks: [{name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, "
                        + "domain: cluster.test, serverAddress: 10.10.0.1}]\n");
        return cfg;
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void everyAdminRouteNeedsATokenAndIsAbsentFromTheBootListener() throws Exception {
        for (String[] r : ADMIN_ROUTES) {
            String what = r[0] + " " + r[1];
            Http.Reply none = anonymous.send(r[0], r[1], r[2]);
            assertEquals(401, none.status(), what + " without a token: " + none.body());
            assertTrue(none.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"), what);
            Http.Reply wrong = anonymous.withToken("anvil_" + "A".repeat(43)).send(r[0], r[1], r[2]);
            assertEquals(401, wrong.status(), what + " with an unknown token");
            assertTrue(wrong.headers().firstValue("www-authenticate").orElse("").contains("invalid_token"), what);
            Http.Reply onBoot = boot.send(r[0], r[1], r[2]);
            assertEquals(404, onBoot.status(), what + " on the boot listener: " + onBoot.body());
            Http.Reply ro = readOnly.send(r[0], r[1], r[2]);
            boolean reads = r[0].equals("GET");
            if (!reads || r[1].startsWith("/api/v1/tokens")) {
                assertEquals(403, ro.status(), what + " with a read-only token: " + ro.body());
            } else {
                assertEquals(200, ro.status(), what + " with a read-only token: " + ro.body());
            }
            Http.Reply ok = admin.send(r[0], r[1], r[2]);
            assertTrue(
                    ok.status() != 401 && ok.status() != 403 && ok.status() < 500,
                    what + " with the admin token: " + ok.status() + " " + ok.body());
            if (!r[1].contains("/import")
                    && !r[1].endsWith("/999999")
                    && !r[1].contains("/power/")
                    && !r[1].endsWith("/next-boot")) {
                assertTrue(ok.status() < 300, what + " with the admin token: " + ok.status() + " " + ok.body());
            }
        }
        // The refused requests changed nothing: s1 was created once (by the admin) and is gone again.
        assertEquals(404, admin.get("/api/v1/nodes/s1").status());
    }

    /**
     * The event stream: a token like every admin route (not in {@link #ADMIN_ROUTES}: a GET would hold its
     * stream open), a read-only one enough (HEAD: the head alone, no stream), absent from the boot listener; the
     * dashboard's files are open on the admin listener only.
     */
    @Test
    void theEventStreamNeedsATokenAndTheDashboardIsOnlyOnTheAdminListener() throws Exception {
        Http.Reply none = anonymous.send("GET", "/api/v1/events", null);
        assertEquals(401, none.status(), none.body());
        Http.Reply wrong = anonymous.withToken("anvil_" + "A".repeat(43)).send("GET", "/api/v1/events", null);
        assertEquals(401, wrong.status(), wrong.body());
        assertEquals(404, boot.send("GET", "/api/v1/events", null).status());
        Http.Reply ro = readOnly.send("HEAD", "/api/v1/events", null);
        assertEquals(200, ro.status(), ro.body());
        assertTrue(
                ro.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"),
                ro.headers().toString());
        for (String path : List.of("/", "/ui/app.js", "/ui/style.css", "/ui/favicon.svg")) {
            assertEquals(200, anonymous.send("GET", path, null).status(), path + " on the admin listener");
            assertEquals(404, boot.send("GET", path, null).status(), path + " on the boot listener");
        }
    }

    /** The node-facing calls are not on the admin API, even with the admin token. */
    @Test
    void bootRoutesAreAbsentFromTheAdminApi() throws Exception {
        admin.post("/api/v1/nodes", "{\"name\":\"b1.cluster.test\",\"macs\":[\"52:54:00:5e:c0:03\"]}");
        for (String[] r : List.of(
                new String[] {"POST", "/api/v1/discover", "{\"mac\":\"52:54:00:5e:c0:04\"}"},
                new String[] {"POST", "/api/v1/nodes/b1/installing", "{\"token\":\"x\"}"},
                new String[] {"POST", "/api/v1/nodes/b1/install-complete", "{\"token\":\"x\"}"},
                new String[] {"POST", "/api/v1/nodes/b1/alive", "{\"alive\":true}"},
                new String[] {"GET", "/nodes/b1/install.cfg", null})) {
            assertEquals(404, admin.send(r[0], r[1], r[2]).status(), r[0] + " " + r[1] + " on the admin API");
        }
        assertEquals(404, admin.get("/api/v1/nodes/52:54:00:5e:c0:04").status(), "no discovery happened");
    }

    @Test
    void healthIsOpenAndSaysNothing() throws Exception {
        Http.Reply h = anonymous.get("/healthz");
        assertEquals(200, h.status());
        assertEquals("{\"status\":\"ok\"}", h.body());
        assertEquals(200, boot.get("/healthz").status());
        assertEquals(401, anonymous.send("POST", "/healthz", "{}").status());
    }

    /** A browser page can send a form or text/plain POST without a preflight: it never reaches a route. */
    @Test
    void crossSiteSimpleRequestsAreRefused() throws Exception {
        String body = "{\"name\":\"csrf.cluster.test\",\"macs\":[\"52:54:00:5e:c0:02\"]}";
        Http.Reply textPlain = Http.curl(
                daemon.auth()[0],
                daemon.auth()[1],
                "-H",
                "Content-Type: text/plain",
                "--data",
                body,
                daemon.uri("/api/v1/nodes").toString());
        assertEquals(415, textPlain.status(), textPlain.body());
        Http.Reply form = Http.curl(
                daemon.auth()[0],
                daemon.auth()[1],
                "--data",
                body,
                daemon.uri("/api/v1/nodes").toString());
        assertEquals(415, form.status(), "application/x-www-form-urlencoded: " + form.body());
        Http.Reply noToken = Http.curl(
                "-H",
                "Content-Type: text/plain",
                "--data",
                body,
                daemon.uri("/api/v1/nodes").toString());
        assertEquals(401, noToken.status());
        assertEquals(404, admin.get("/api/v1/nodes/csrf").status(), "nothing was created");
    }

    @Test
    void tokensAreShownOnceStoredHashedAndRevocable() throws Exception {
        Path file = tmp.resolve("state/admin-token");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String adminSecret = daemon.adminToken();
        Http.Reply made = admin.post("/api/v1/tokens", "{\"name\":\"ci\",\"role\":\"admin\"}");
        assertEquals(201, made.status(), made.body());
        String secret = made.json().path("token").asText();
        assertTrue(secret.startsWith("anvil_"), secret);
        assertEquals(409, admin.post("/api/v1/tokens", "{\"name\":\"ci\"}").status(), "names are unique");
        assertEquals(
                400, admin.post("/api/v1/tokens", "{\"name\":\"bad name!\"}").status());
        assertEquals(
                400,
                admin.post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"root\"}")
                        .status());
        JsonNode list = admin.get("/api/v1/tokens").json();
        assertTrue(list.size() >= 3, list.toString());
        assertFalse(list.toString().contains(secret) || list.toString().contains(adminSecret), "no secret in a list");
        assertFalse(list.toString().contains("\"token\""), list.toString());
        Http ci = anonymous.withToken(secret);
        assertEquals(200, ci.get("/api/v1/status").status());
        long id = made.json().path("id").asLong();
        assertEquals(204, admin.send("DELETE", "/api/v1/tokens/" + id, null).status());
        assertEquals(401, ci.get("/api/v1/status").status(), "a revoked token is refused at once");
        assertEquals(404, admin.send("DELETE", "/api/v1/tokens/" + id, null).status());

        // The install-token key lives in a 0600 file of its own, not in the store.
        Path key = tmp.resolve("state/install-token.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String keyHex = Files.readString(key).trim();
        assertEquals(64, keyHex.length());
        // Neither the database file nor the log holds a secret in clear.
        byte[] db = Files.readAllBytes(tmp.resolve("state/anvil.mv.db"));
        String dbText = new String(db, StandardCharsets.ISO_8859_1);
        assertFalse(
                dbText.contains(keyHex) || dbText.contains("install-token-key"), "the install-token key in the store");
        for (String s : List.of(secret, adminSecret, secret.substring(6), adminSecret.substring(6))) {
            assertFalse(dbText.contains(s), "a token in clear in anvil.mv.db");
            assertFalse(daemon.log().contains(s), "a token in the log");
        }
    }

    /** api.tls: HTTPS with a self-signed pair made at first start; curl trusts it only with --cacert. */
    @Test
    void theAdminApiSpeaksTlsWhenAsked() throws Exception {
        Path cfg = quietConfig("tls.yaml", "api: {tls: {selfSigned: true}}\n");
        Path state = tmp.resolve("state-tls");
        try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
            assertEquals("https", d.base().getScheme());
            String url = d.uri("/api/v1/status").toString();
            Http.Reply ok =
                    Http.curl("--cacert", state.resolve("tls/admin.crt").toString(), d.auth()[0], d.auth()[1], url);
            assertEquals(200, ok.status(), ok.body());
            Process untrusted = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", url)
                    .redirectErrorStream(true)
                    .start();
            assertEquals(60, untrusted.waitFor(), "curl refuses the certificate it was not given");
            Http.Reply noToken =
                    Http.curl("--cacert", state.resolve("tls/admin.crt").toString(), url);
            assertEquals(401, noToken.status(), "TLS does not replace the token");
            Process plain = new ProcessBuilder(
                            "curl", "-sS", "-o", "/dev/null", "-m", "5", url.replace("https://", "http://"))
                    .redirectErrorStream(true)
                    .start();
            assertNotEquals(0, plain.waitFor(), "no plain HTTP on the TLS port");

            // The CLI on the admin node: the token and the daemon's own certificate from the state directory.
            Path anvil = DaemonProcess.launcher().resolveSibling("anvil");
            String base = d.base().toString();
            String[] ownCert = cli(anvil, "status", "--url", base, "--state-dir", state.toString());
            assertEquals("0", ownCert[0], ownCert[1]);
            String[] otherCa = cli(
                    anvil,
                    "status",
                    "--url",
                    base,
                    "--state-dir",
                    state.toString(),
                    "--cacert",
                    "/etc/ssl/certs/ca-certificates.crt");
            assertEquals("3", otherCa[0], otherCa[1]);
            assertTrue(otherCa[1].contains("TLS failed") && otherCa[1].contains("--cacert"), otherCa[1]);
        }
    }

    /** Runs bin/anvil without ANVIL_* variables: its exit code and its output (stdout and stderr). */
    static String[] cli(Path anvil, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(anvil.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("ANVIL_"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {String.valueOf(p.waitFor()), out};
    }

    /** A lost or leaked admin token: {@code anvild reset-admin-token}, with the daemon stopped. */
    @Test
    void aLostAdminTokenIsReplacedWithTheDaemonStopped() throws Exception {
        Path state = tmp.resolve("state-reset");
        Path cfg = quietConfig("reset.yaml", "");
        String old;
        try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
            old = d.adminToken();
            Process busy = new ProcessBuilder(
                            DaemonProcess.launcher().toString(), "reset-admin-token", "--state-dir", state.toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(busy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, busy.waitFor(), out);
            assertTrue(out.contains("stop it first"), out);
            assertEquals(old, d.adminToken(), "a refused reset changes nothing");
        }
        Process reset = new ProcessBuilder(
                        DaemonProcess.launcher().toString(), "reset-admin-token", "--state-dir", state.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(reset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, reset.waitFor(), out);
        try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
            assertNotEquals(old, d.adminToken());
            assertEquals(401, new Http(d.base(), old).get("/api/v1/status").status(), "the old token is revoked");
            assertEquals(200, d.api().get("/api/v1/status").status());
        }
    }

    @Test
    void theAdminApiAndTheBootListenerNeverShareAnAddress() throws Exception {
        assertNotEquals(daemon.base().getPort(), daemon.bootBase().getPort());
        Path cfg = tmp.resolve("same.yaml");
        Files.writeString(cfg, "api: {listen: \"127.0.0.1:18123\"}\nhttp: {listen: \"0.0.0.0:18123\"}\n");
        Process p = new ProcessBuilder(DaemonProcess.launcher().toString(), "--check-config", cfg.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor());
        assertTrue(out.contains("api.listen") && out.contains("overlaps http.listen"), out);
    }
}
