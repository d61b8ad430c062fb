package dev.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The human output's layout and how JSON values read in it. */
class TableTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void columnsAreAsWideAsTheirWidestCellTwoSpacesApartWithoutTrailingBlanks() {
        String t = new Table("name", "ip", "state")
                .row("n1.cluster.test", "10.10.0.10", "ready")
                .row("n22", null, "")
                .render();
        assertEquals(
                "NAME             IP          STATE\n"
                        + "n1.cluster.test  10.10.0.10  ready\n"
                        + "n22              -           -\n",
                t);
        assertEquals("A  B\n", new Table("a", "b").render());
    }

    @Test
    void aCellWithANewlineStaysOnItsRow() {
        assertEquals("X\na b\n", new Table("x").row("a\nb").render());
    }

    @Test
    void aRowOfTheWrongWidthIsABug() {
        assertThrows(IllegalArgumentException.class, () -> new Table("a", "b").row("x"));
    }

    @Test
    void fieldsAreAligned() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", 1);
        f.put("blocked by", null);
        f.put("state", "queued");
        assertEquals("id:         1\nblocked by: -\nstate:      queued\n", Table.fields(f));
    }

    @Test
    void jsonValuesReadAsText() throws Exception {
        assertEquals("-", Table.text(JSON.readTree("null")));
        assertEquals("-", Table.text(JSON.readTree("{}").path("missing")));
        assertEquals("yes", Table.text(JSON.readTree("true")));
        assertEquals("no", Table.text(JSON.readTree("false")));
        assertEquals("a,b", Table.text(JSON.readTree("[\"a\",\"b\"]")));
        assertEquals("-", Table.text(JSON.readTree("[]")));
        assertEquals("files=2 bytes=14", Table.text(JSON.readTree("{\"files\":2,\"bytes\":14}")));
        assertEquals("42", Table.text(JSON.readTree("42")));
        assertEquals("2026-12-05T10:40:02Z", Table.when(JSON.readTree("\"2026-12-05T10:40:02.118734Z\"")));
        assertEquals("soon", Table.when(JSON.readTree("\"soon\"")));
        assertEquals("-", Table.when(JSON.readTree("null")));
    }

    @Test
    void bytesAndDurationsForPeople() {
        assertEquals("0 B", Table.bytes(0));
        assertEquals("1023 B", Table.bytes(1023));
        assertEquals("1.5 KiB", Table.bytes(1536));
        assertEquals("3.7 GiB", Table.bytes(3951034368L));
        assertEquals("0s", Table.duration(0));
        assertEquals("4m 5s", Table.duration(245));
        assertEquals("1h 0m 0s", Table.duration(3600));
        assertEquals("2d 3h 4m 5s", Table.duration(2 * 86400 + 3 * 3600 + 4 * 60 + 5));
    }

    @Test
    void taskLinesAndTheProgressLine() throws Exception {
        var running = JSON.readTree(
                "{\"id\":7,\"nodeId\":null,\"kind\":\"import\",\"os\":\"debian-12\",\"state\":\"running\","
                        + "\"progress\":{\"files\":412,\"bytes\":1073741824}}");
        assertEquals("task 7 import debian-12: running", TaskWatch.line(running));
        assertEquals("  import debian-12: 412 files, 1.0 GiB, 256.0 MiB/s [4s]", TaskWatch.progressLine(running, 4.0));
        var blocked = JSON.readTree("{\"id\":1,\"nodeId\":3,\"kind\":\"reboot\",\"state\":\"queued\","
                + "\"blockedBy\":\"node is not alive\"}");
        assertEquals("task 1 reboot node 3: queued (node is not alive)", TaskWatch.line(blocked));
        var failed = JSON.readTree(
                "{\"id\":2,\"nodeId\":3,\"kind\":\"reboot\",\"state\":\"failed\",\"error\":\"exit status 1\"}");
        assertEquals("task 2 reboot node 3: failed: exit status 1", TaskWatch.line(failed));
    }
}
