package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Range;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The REST API of a real anvild on the embedded default configuration, driven by curl and an HTTP client. */
class ApiIT {
    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0");
        http = daemon.api();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void statusShowsHttpRunning() throws Exception {
        Http.Reply r = Http.curl(
                daemon.auth()[0], daemon.auth()[1], daemon.uri("/api/v1/status").toString());
        assertEquals(200, r.status());
        JsonNode s = r.json();
        assertEquals("running", s.at("/services/http/state").asText(), r.body());
        assertEquals("running", s.at("/services/api/state").asText(), r.body());
        assertTrue(s.at("/store/ok").asBoolean());
        assertFalse(s.at("/version").asText().isEmpty());
        assertTrue(s.at("/nodes/byState").has("discovering"));
    }

    @Test
    void createdNodeGetsHostRangeIpv4AndUlaPlusMd5Ipv6() throws Exception {
        Http.Reply r = Http.curl(
                "-X",
                "POST",
                daemon.auth()[0],
                daemon.auth()[1],
                "-H",
                "Content-Type: application/json",
                "--data",
                "{\"name\":\"n1.cluster.test\",\"macs\":[\"52:54:00:12:34:56\"]}",
                daemon.uri("/api/v1/nodes").toString());
        assertEquals(201, r.status(), r.body());
        JsonNode addr = r.json().at("/addresses/0");
        assertEquals("admin", addr.get("network").asText());
        assertTrue(Ipv4Range.parse("10.10.0.10-10.10.0.99")
                .contains(Ipv4Address.parse(addr.get("ipv4").asText())));

        // Independent check: the prefix is fd + 40-bit global ID + subnet 0001 (network id 1), the interface ID
        // is the low 64 bits of md5 as md5sum prints it.
        String prefix =
                http.get("/api/v1/networks/admin").json().get("ipv6Prefix").asText();
        byte[] p =
                InetAddress.getByName(prefix.substring(0, prefix.indexOf('/'))).getAddress();
        assertEquals((byte) 0xfd, p[0]);
        assertEquals(0, p[6]);
        assertEquals(1, p[7]);
        String md5 = md5sum("n1.cluster.test");
        byte[] expected = p.clone();
        System.arraycopy(HexFormat.of().parseHex(md5.substring(16)), 0, expected, 8, 8);
        assertEquals(
                InetAddress.getByAddress(expected),
                InetAddress.getByName(addr.get("ipv6").asText()));
        assertTrue(InetAddress.getByName(addr.get("ipv6").asText()) instanceof Inet6Address);

        JsonNode byMac = http.get("/api/v1/nodes/52-54-00-12-34-56").json();
        assertEquals("n1.cluster.test", byMac.get("name").asText());
        assertEquals("discovering", byMac.get("state").asText());
        assertEquals("sledgehammer", byMac.get("bootEnv").asText());
    }

    static String md5sum(String text) throws Exception {
        Process proc = new ProcessBuilder("md5sum").start();
        proc.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        proc.getOutputStream().close();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(proc.waitFor(10, TimeUnit.SECONDS));
        return out.substring(0, 32);
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "POST | /api/v1/nodes | {\"name\": | 400 | | malformed JSON",
                "POST | /api/v1/nodes | '' | 400 | | a JSON request body is required",
                "POST | /api/v1/nodes | [1,2] | 400 | | must be a JSON object",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:99\"]} trailing | 400 | | malformed JSON",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:99\"],\"colour\":1} | 400 | colour | unknown field",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:zz\"]} | 400 | macs[0] | is not a MAC address",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[]} | 400 | macs | at least one MAC",
                "POST | /api/v1/nodes | {\"name\":\"bad_name.test\",\"macs\":[\"52:54:00:00:00:99\"]} | 400 | name | not a valid host name",
                "POST | /api/v1/nodes | {\"name\":\"-x.test\",\"macs\":[\"52:54:00:00:00:99\"]} | 400 | name | not a valid host name",
                "POST | /api/v1/nodes | {\"macs\":[\"52:54:00:00:00:99\"]} | 400 | name | is required",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":\"52:54:00:00:00:99\"} | 400 | macs | wrong type",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:99\"],\"bootEnv\":\"nope\"} | 400 | bootEnv | no boot environment",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:99\"],\"targetOs\":\"windows\"} | 400 | targetOs | no installer",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:99\"],\"addresses\":{\"admin\":\"10.10.0.150\"}} | 400 | addresses.admin | DHCP pool",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:99\"],\"addresses\":{\"admin\":\"10.20.0.5\"}} | 400 | addresses.admin | is not in network",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:99\"],\"addresses\":{\"admin\":\"10.10.0.300\"}} | 400 | addresses.admin | not an IPv4 address",
                "POST | /api/v1/nodes | {\"name\":\"x.cluster.test\",\"macs\":[\"52:54:00:00:00:99\"],\"addresses\":{\"nonet\":\"auto\"}} | 400 | addresses.nonet | no network named",
                "POST | /api/v1/networks | {\"name\":\"n2\",\"id\":2,\"cidr\":\"10.0.0.0/33\",\"staticRange\":\"10.0.0.1-10.0.0.9\",\"domain\":\"n2.test\"} | 400 | cidr | 10.0.0.0/33 is not a valid IPv4 CIDR",
                "POST | /api/v1/networks | {\"name\":\"n2\",\"id\":70000,\"cidr\":\"10.0.0.0/24\",\"staticRange\":\"10.0.0.1-10.0.0.9\",\"domain\":\"n2.test\"} | 400 | id | outside 0..65535",
                "POST | /api/v1/networks | {\"name\":\"n2\",\"id\":2,\"cidr\":\"10.0.0.0/24\",\"staticRange\":\"10.0.0.1-10.0.0.9\",\"domain\":\"n2.test\",\"ipv6Prefix\":\"x\"} | 400 | ipv6Prefix | derived",
                "POST | /api/v1/networks | {\"name\":\"n2\",\"id\":2,\"cidr\":\"10.0.0.0/8\",\"staticRange\":\"10.0.0.1-10.0.0.9\",\"domain\":\"n2.test\"} | 409 | cidr | overlaps network admin",
                "GET | /api/v1/nodes/nosuch.cluster.test | '' | 404 | | no node",
                "GET | /api/v1/nodes/!!! | '' | 404 | | no node",
                "GET | /api/v1/networks/nosuch | '' | 404 | | no network",
                "GET | /api/v1/bootenvs/nosuch | '' | 404 | | no boot environment",
                "GET | /api/v1/nothing | '' | 404 | | no such resource",
                "GET | /api/v1/nodes?state=bogus | '' | 400 | state | unknown state",
                "PUT | /api/v1/nodes | '' | 405 | | not allowed",
                "DELETE | /api/v1/status | '' | 405 | | not allowed",
                "DELETE | /api/v1/networks/admin | '' | 409 | name | cannot be deleted",
                "DELETE | /api/v1/networks/nosuch | '' | 404 | | no network",
            })
    void badInputGetsStatusAndJsonError(
            String method, String path, String body, int status, String field, String message) throws Exception {
        Http.Reply r = http.send(method, path, body == null || body.isEmpty() ? null : body);
        assertEquals(status, r.status(), r.body());
        JsonNode e = r.json();
        assertTrue(e.get("error").asText().contains(message), r.body());
        assertEquals(
                field == null ? null : field,
                e.get("field").isNull() ? null : e.get("field").asText(),
                r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("at dev.anvil"), "no stack traces");
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    }

    @Test
    void methodNotAllowedNamesTheAllowedMethods() throws Exception {
        Http.Reply r = http.send("PUT", "/api/v1/nodes", null);
        assertEquals(405, r.status());
        assertEquals("GET, POST", r.headers().firstValue("allow").orElseThrow());
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String big = "{\"name\":\"" + "a".repeat(2 << 20) + "\"}";
        Http.Reply r = http.post("/api/v1/nodes", big);
        assertEquals(413, r.status());
        assertTrue(r.json().get("error").asText().contains("exceeds"));
        assertEquals(200, http.get("/api/v1/status").status(), "the listener goes on");
    }

    @Test
    void conflictsAre409AndLeaveNothingHalfWritten() throws Exception {
        assertEquals(
                201,
                http.post(
                                "/api/v1/nodes",
                                "{\"name\":\"c1.cluster.test\",\"macs\":[\"52:54:00:00:c1:01\"],\"addresses\":{\"admin\":\"10.10.0.90\"}}")
                        .status());
        Http.Reply dupName = http.post("/api/v1/nodes", "{\"name\":\"c1\",\"macs\":[\"52:54:00:00:c1:02\"]}");
        assertEquals(409, dupName.status(), dupName.body());
        assertEquals("name", dupName.json().get("field").asText());
        Http.Reply dupMac =
                http.post("/api/v1/nodes", "{\"name\":\"c2.cluster.test\",\"macs\":[\"52:54:00:00:C1:01\"]}");
        assertEquals(409, dupMac.status());
        assertEquals("macs", dupMac.json().get("field").asText());
        Http.Reply taken = http.post(
                "/api/v1/nodes",
                "{\"name\":\"c3.cluster.test\",\"macs\":[\"52:54:00:00:c1:03\"],\"addresses\":{\"admin\":\"10.10.0.90\"}}");
        assertEquals(409, taken.status());
        assertEquals("addresses.admin", taken.json().get("field").asText());
        assertEquals(404, http.get("/api/v1/nodes/c2.cluster.test").status());
        assertEquals(404, http.get("/api/v1/nodes/52:54:00:00:c1:03").status());
    }

    @Test
    void exhaustedNetworkIs409AndNetworkInUseCannotBeDeleted() throws Exception {
        Http.Reply net = http.post(
                "/api/v1/networks",
                "{\"name\":\"small\",\"id\":9,\"cidr\":\"10.99.0.0/24\","
                        + "\"staticRange\":\"10.99.0.10-10.99.0.11\",\"domain\":\"small.test\",\"v6prefix\":\"fd00:99::\"}");
        assertEquals(201, net.status(), net.body());
        assertEquals("fd00:99::/64", net.json().get("ipv6Prefix").asText());
        assertEquals(
                409,
                http.post(
                                "/api/v1/networks",
                                "{\"name\":\"small\",\"id\":10,\"cidr\":\"10.98.0.0/24\","
                                        + "\"staticRange\":\"10.98.0.10-10.98.0.11\",\"domain\":\"small.test\"}")
                        .status());
        for (int i = 0; i < 2; i++) {
            Http.Reply ok = http.post(
                    "/api/v1/nodes",
                    "{\"name\":\"s" + i + ".small.test\",\"macs\":[\"52:54:00:00:99:0" + i
                            + "\"],\"addresses\":{\"small\":\"auto\"}}");
            assertEquals(201, ok.status(), ok.body());
        }
        Http.Reply full = http.post(
                "/api/v1/nodes",
                "{\"name\":\"s9.small.test\",\"macs\":[\"52:54:00:00:99:09\"],\"addresses\":{\"small\":\"auto\"}}");
        assertEquals(409, full.status());
        assertTrue(full.json().get("error").asText().contains("no free address"));
        Http.Reply inUse = http.send("DELETE", "/api/v1/networks/small", null);
        assertEquals(409, inUse.status());
        assertTrue(inUse.json().get("error").asText().contains("in use"));
        assertEquals(
                204, http.send("DELETE", "/api/v1/nodes/s0.small.test", null).status());
        assertEquals(
                204,
                http.send("DELETE", "/api/v1/nodes/52:54:00:00:99:01", null).status());
        assertEquals(204, http.send("DELETE", "/api/v1/networks/small", null).status());
    }

    @Test
    void updateListAndBootEnvs() throws Exception {
        assertEquals(
                201,
                http.post(
                                "/api/v1/nodes",
                                "{\"name\":\"u1\",\"macs\":[\"52:54:00:00:u1:01\"]}".replace("u1:01", "a1:01"))
                        .status());
        Http.Reply patched = http.send(
                "PATCH",
                "/api/v1/nodes/u1.cluster.test",
                "{\"targetOs\":\"ubuntu-22.04\",\"available\":false,\"macs\":[\"52:54:00:00:a1:01\",\"52:54:00:00:a1:02\"]}");
        assertEquals(200, patched.status(), patched.body());
        assertEquals("ubuntu-22.04", patched.json().get("targetOs").asText());
        assertFalse(patched.json().get("available").asBoolean());
        assertEquals(2, patched.json().get("macs").size());
        assertEquals(
                "u1.cluster.test",
                http.get("/api/v1/nodes/52:54:00:00:a1:02").json().get("name").asText());
        Http.Reply badEnv = http.send("PATCH", "/api/v1/nodes/u1.cluster.test", "{\"bootEnv\":\"nope\"}");
        assertEquals(400, badEnv.status());
        assertEquals("bootEnv", badEnv.json().get("field").asText());
        Http.Reply badField = http.send("PATCH", "/api/v1/nodes/u1.cluster.test", "{\"state\":\"ready\"}");
        assertEquals(400, badField.status());
        assertEquals("state", badField.json().get("field").asText());
        assertEquals(
                200,
                http.send("PATCH", "/api/v1/nodes/u1.cluster.test", "{\"bootEnv\":\"local\"}")
                        .status());
        JsonNode local = http.get("/api/v1/nodes?bootEnv=local").json();
        assertEquals(1, local.size());
        assertEquals("u1.cluster.test", local.get(0).get("name").asText());
        JsonNode envs = http.get("/api/v1/bootenvs").json();
        assertTrue(envs.size() >= 10);
        assertNotNull(http.get("/api/v1/bootenvs/centos-stream-9-install")
                .json()
                .get("installTemplate")
                .asText());
        assertEquals(200, http.send("HEAD", "/api/v1/status", null).status());
    }

    @Test
    void oversizedBodyWithExpectContinueIs413WithJson() throws Exception {
        java.nio.file.Path big = tmp.resolve("big.json");
        java.nio.file.Files.writeString(big, "{\"name\":\"" + "a".repeat(2 << 20) + "\"}");
        Http.Reply r = Http.curl(
                "-X",
                "POST",
                daemon.auth()[0],
                daemon.auth()[1],
                "-H",
                "Content-Type: application/json",
                "-H",
                "Expect: 100-continue",
                "--data-binary",
                "@" + big,
                daemon.uri("/api/v1/nodes").toString());
        assertEquals(413, r.status());
        assertTrue(r.json().get("error").asText().contains("exceeds"), r.body());
    }
}
