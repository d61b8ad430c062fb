package dev.anvil.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anvil.core.net.DomainName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeValuesTest {
    @Test
    void macFormsNormalize() {
        MacAddress m = MacAddress.parse("52:54:00:12:34:56");
        assertEquals(m, MacAddress.parse("52-54-00-12-34-56"));
        assertEquals(m, MacAddress.parse("5254.0012.3456"));
        assertEquals(m, MacAddress.parse("52:54:00:12:34:56".toUpperCase()));
        assertEquals("52-54-00-12-34-56", m.format('-'));
        assertEquals(m, MacAddress.fromBytes(m.toBytes(), 0));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "52:54:00:12:34",
                "52:54:00:12:34:5g",
                "52:54-00:12:34:56",
                "525400123456",
                "52:54:00:12:34:56:78",
                "+2:54:00:12:34:56"
            })
    void badMacs(String text) {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
    }

    @Test
    void hostNames() {
        assertEquals("n1.cluster.test", DomainName.normalize("N1.Cluster.Test."));
        assertEquals("a", DomainName.normalize("a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", "-a.b", "a-.b", "a_b.c", "a b", "ä.test", "a.b\u0000"})
    void badHostNames(String text) {
        assertThrows(IllegalArgumentException.class, () -> DomainName.normalize(text));
    }

    @Test
    void longNames() {
        String label = "a".repeat(63);
        assertEquals(label, DomainName.normalize(label));
        assertThrows(IllegalArgumentException.class, () -> DomainName.normalize("a".repeat(64)));
        String name = (label + ".").repeat(4);
        assertThrows(IllegalArgumentException.class, () -> DomainName.normalize(name + "x"));
    }

    @Test
    void stateWireNames() {
        assertEquals("install-pending", NodeState.INSTALL_PENDING.wireName());
        assertEquals(
                NodeState.INSTALL_PENDING,
                NodeState.fromWireName("install-pending").orElseThrow());
    }
}
