package dev.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The node's power reading as {@code anvil nodes list} and {@code show} print it (doc/cli.md). */
class NodesPowerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theStateTheErrorKindInCapitalsOrADash() throws Exception {
        assertEquals("on", NodesCommand.power(JSON.readTree("{\"state\":\"on\",\"at\":\"2026-12-06T20:00:00Z\"}")));
        assertEquals(
                "UNREACHABLE",
                NodesCommand.power(JSON.readTree("{\"state\":\"on\",\"at\":\"2026-12-06T20:00:00Z\","
                        + "\"error\":\"unreachable: Get Auth Capabilities error (ipmitool exit 1)\"}")));
        assertEquals("-", NodesCommand.power(JSON.readTree("null")));
        assertEquals("-", NodesCommand.power(JSON.readTree("{}").path("power")));
    }

    @Test
    void showSaysWhatTheBmcLastAnsweredOrWhyItDidNot() throws Exception {
        String node = "{\"name\":\"n1.cluster.test\",\"macs\":[],\"addresses\":[],\"hostKeys\":[],"
                + "\"power\":{\"state\":null,\"at\":\"2026-12-06T20:00:00.5Z\",\"error\":\"auth-failed: RAKP 2 HMAC is"
                + " invalid (ipmitool exit 1)\"}}";
        String shown = NodesCommand.show(JSON.readTree(node));
        assertTrue(
                shown.contains("power:     BMC auth-failed: RAKP 2 HMAC is invalid (ipmitool exit 1) (at "
                        + "2026-12-06T20:00:00Z; last known: -)"),
                shown);
        String on = NodesCommand.show(JSON.readTree(node.replaceFirst(
                "\"power\":\\{.*\\}\\}$",
                "\"power\":{\"state\":\"off\",\"at\":\"2026-12-06T20:00:00Z\",\"error\":null}}")));
        assertTrue(on.contains("power:     off at 2026-12-06T20:00:00Z"), on);
    }
}
