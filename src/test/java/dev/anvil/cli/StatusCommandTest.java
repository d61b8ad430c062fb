package dev.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code anvil status}'s text: the instance, and on a shared store its live peers. */
class StatusCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    private static String body(String cluster) {
        return "{\"version\":\"0.1.0\",\"uptimeSeconds\":65," + cluster
                + "\"store\":{\"backend\":\"postgresql\",\"ok\":true},"
                + "\"nodes\":{\"total\":0,\"byState\":{\"ready\":0}},"
                + "\"services\":{\"cluster\":{\"state\":\"running\"}}}";
    }

    @Test
    void instanceAndItsLivePeers() throws Exception {
        String table = "\nSERVICE  STATE\ncluster  running\n";
        assertEquals(
                "anvild 0.1.0, up 1m 5s\nstore: postgresql ok\ninstance: a, live peers: b, c-1\nnodes: 0 (ready 0)\n"
                        + table,
                StatusCommand.human(
                        JSON.readTree(body("\"instance\":\"a\",\"peers\":[{\"id\":\"b\"},{\"id\":\"c-1\"}],"))));
        assertEquals(
                "anvild 0.1.0, up 1m 5s\nstore: postgresql ok\ninstance: a, live peers: none\nnodes: 0 (ready 0)\n"
                        + table,
                StatusCommand.human(JSON.readTree(body("\"instance\":\"a\",\"peers\":[],"))));
        assertEquals(
                "anvild 0.1.0, up 1m 5s\nstore: postgresql ok\ninstance: a\nnodes: 0 (ready 0)\n" + table,
                StatusCommand.human(JSON.readTree(body("\"instance\":\"a\","))),
                "H2: no peers list");
    }
}
