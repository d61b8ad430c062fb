package dev.anvil.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anvil.core.node.NodeState;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootEnvironmentTest {
    private static BootEnvironment env(String name, Optional<String> os, boolean local) {
        return new BootEnvironment(
                name, "", os, Optional.empty(), Optional.empty(), Optional.empty(), "", Optional.empty(), local);
    }

    @Test
    void aNodeStartsInTheStateItsBootEnvironmentImplies() {
        assertEquals(
                NodeState.DISCOVERING,
                env(BootEnvironments.DISCOVERY, Optional.empty(), false).initialState());
        assertEquals(NodeState.INSTALLED, env("local", Optional.empty(), true).initialState());
        assertEquals(
                NodeState.INSTALL_PENDING,
                env("ubuntu-22.04-install", Optional.of("ubuntu-22.04"), false).initialState());
        assertEquals(
                NodeState.DISCOVERED, env("rescue", Optional.empty(), false).initialState());
    }
}
