package dev.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anvil.core.node.HostKey;
import dev.anvil.core.node.HostKeyMismatch;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeState;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The install-complete body's hostKeys are validated strictly; the node JSON shows fingerprints, not keys. */
class HostKeysJsonTest {
    static final String KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJSI8HFfnxvevOcTKxuG9cIEuuTW7bFFPwb7NGQqRYr0 root@vm";
    static final String FP = "SHA256:nBSnErBRpudThJAWvIq+HdmvaZYW+Hi0aCIolv9qo1E";
    final ObjectMapper mapper = new ObjectMapper();

    List<HostKey> parse(String json) throws Exception {
        return LifecycleRoutes.hostKeys(mapper.readTree(json).path("hostKeys"));
    }

    void refused(String json, String field) {
        ApiException e = assertThrows(ApiException.class, () -> parse(json));
        assertEquals(HttpResponseStatus.BAD_REQUEST, e.status());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(field), e.getMessage());
    }

    @Test
    void hostKeysAreOptionalAndStrict() throws Exception {
        assertEquals(List.of(), parse("{\"token\":\"t\"}"));
        assertEquals(List.of(), parse("{\"hostKeys\":null}"));
        assertEquals(List.of(HostKey.parse(KEY)), parse("{\"hostKeys\":[\"" + KEY + "\"]}"));
        refused("{\"hostKeys\":\"" + KEY + "\"}", "hostKeys");
        refused("{\"hostKeys\":[" + "\"x\",".repeat(8) + "\"x\"]}", "hostKeys");
        refused("{\"hostKeys\":[\"" + KEY + "\", \"ssh-rsa AAAA\"]}", "hostKeys[1]");
        refused("{\"hostKeys\":[\"" + KEY + "\", 7]}", "hostKeys[1]");
        refused("{\"hostKeys\":[\"" + KEY + "\", \"" + KEY + "\"]}", "hostKeys[1]");
        refused("{\"hostKeys\":[\"ssh-foo AAAA\"]}", "hostKeys[0]");
        refused("{\"hostKeys\":[\"ssh-ed25519 " + "A".repeat(HostKey.MAX_LINE) + "\"]}", "hostKeys[0]");
    }

    @Test
    void theNodeJsonShowsTypesAndFingerprints() {
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        Node n = new Node(
                1,
                "n1.cluster.test",
                List.of(),
                List.of(),
                "local",
                Optional.of("debian-12"),
                false,
                true,
                NodeState.INSTALLED,
                t,
                t,
                List.of(HostKey.parse(KEY)),
                Optional.of(new HostKeyMismatch("ssh-ed25519", Optional.of("SHA256:other"), t)));
        JsonNode j = mapper.valueToTree(NodeJson.of(n, Map.of(), null));
        assertEquals("ssh-ed25519", j.path("hostKeys").get(0).path("type").asText());
        assertEquals(FP, j.path("hostKeys").get(0).path("fingerprint").asText());
        assertEquals(2, j.path("hostKeys").get(0).size(), "not the key itself");
        assertEquals(
                "SHA256:other", j.path("hostKeyMismatch").path("fingerprint").asText());
        assertEquals(
                "2026-01-02T03:04:05Z", j.path("hostKeyMismatch").path("since").asText());
        JsonNode plain = mapper.valueToTree(NodeJson.of(
                new Node(2, "n2", List.of(), List.of(), "local", Optional.empty(), false, true, NodeState.READY, t, t),
                Map.of(),
                null));
        assertEquals(0, plain.path("hostKeys").size());
        assertNull(plain.get("hostKeyMismatch").textValue());
    }
}
