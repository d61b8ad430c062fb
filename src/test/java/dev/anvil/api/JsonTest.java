package dev.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    final Json json = new Json();

    JsonNode read(String body) {
        return json.read(body.getBytes(StandardCharsets.UTF_8), JsonNode.class);
    }

    String roundTrip(String body) {
        return new String(json.write(read(body)), StandardCharsets.UTF_8);
    }

    @Test
    void anInventoryKeepsEveryNumberAsSent() {
        // As a double, 1e999 was Infinity, written as the string "Infinity" and read back as text.
        assertEquals("{\"memoryBytes\":1E+999}", roundTrip("{\"memoryBytes\":1e999}"));
        assertEquals("{\"ghz\":2.50}", roundTrip("{\"ghz\":2.50}"));
        assertEquals("{\"x\":0.10000000000000000000001}", roundTrip("{\"x\":0.10000000000000000000001}"));
        assertEquals("{\"n\":123456789012345678901234567890}", roundTrip("{\"n\":123456789012345678901234567890}"));
        assertEquals("{\"n\":4,\"tiny\":1E-999}", roundTrip("{\"n\":4,\"tiny\":1e-999}"));
        JsonNode tree = read("{\"memoryBytes\":1e999,\"ghz\":2.50}");
        assertEquals(tree, json.read(json.write(tree), JsonNode.class));
    }

    @Test
    void anExponentBeyondIntIsA400() {
        ApiException e = assertThrows(ApiException.class, () -> read("{\"memoryBytes\":1e9999999999}"));
        assertEquals(400, e.status().code());
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void aWrongTypeIsA400NotACoercion() {
        for (String body : List.of(
                "{\"name\":15}",
                "{\"name\":true}",
                "{\"name\":1.5}",
                "{\"macs\":[1]}",
                "{\"name\":\"n1\",\"macs\":[true]}")) {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> json.read(body.getBytes(StandardCharsets.UTF_8), NodeCreateJson.class),
                    body);
            assertEquals(400, e.status().code(), body);
            assertTrue(e.getMessage().startsWith("wrong type for"), e.getMessage());
        }
        NodeCreateJson ok = json.read("{\"name\":\"n1\"}".getBytes(StandardCharsets.UTF_8), NodeCreateJson.class);
        assertEquals("n1", ok.name());
    }

    record Counts(int port, Integer ttl, boolean flag) {}

    @Test
    void numbersAndBooleansMustBeSentAsSuch() {
        for (String body : List.of(
                "{\"port\":5.5}",
                "{\"port\":5.0}",
                "{\"port\":\"5\"}",
                "{\"ttl\":1e3}",
                "{\"flag\":\"true\"}",
                "{\"flag\":1}",
                "{\"port\":null}")) {
            ApiException e = assertThrows(
                    ApiException.class, () -> json.read(body.getBytes(StandardCharsets.UTF_8), Counts.class), body);
            assertEquals(400, e.status().code(), body);
        }
        Counts c = json.read("{\"port\":5,\"ttl\":null,\"flag\":true}".getBytes(StandardCharsets.UTF_8), Counts.class);
        assertEquals(new Counts(5, null, true), c);
    }
}
