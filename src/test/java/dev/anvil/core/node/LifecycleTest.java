package dev.anvil.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anvil.core.node.Lifecycle.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every (state, action) pair: the legal ones lead where the lifecycle says, every other one is refused. */
class LifecycleTest {
    static final String EXPECTED = """
      discovering discover -> discovered
      discovering install -> install-pending
      discovering installer-started -> refused
      discovering install-complete -> refused
      discovering booted -> refused
      discovering redeploy -> refused
      discovering fail -> failed
      discovered discover -> discovered
      discovered install -> install-pending
      discovered installer-started -> refused
      discovered install-complete -> refused
      discovered booted -> refused
      discovered redeploy -> discovering
      discovered fail -> failed
      install-pending discover -> refused
      install-pending install -> refused
      install-pending installer-started -> installing
      install-pending install-complete -> installed
      install-pending booted -> refused
      install-pending redeploy -> discovering
      install-pending fail -> failed
      installing discover -> refused
      installing install -> refused
      installing installer-started -> refused
      installing install-complete -> installed
      installing booted -> refused
      installing redeploy -> discovering
      installing fail -> failed
      installed discover -> refused
      installed install -> refused
      installed installer-started -> refused
      installed install-complete -> refused
      installed booted -> ready
      installed redeploy -> discovering
      installed fail -> failed
      ready discover -> refused
      ready install -> refused
      ready installer-started -> refused
      ready install-complete -> refused
      ready booted -> refused
      ready redeploy -> discovering
      ready fail -> failed
      failed discover -> discovered
      failed install -> install-pending
      failed installer-started -> refused
      failed install-complete -> refused
      failed booted -> refused
      failed redeploy -> discovering
      failed fail -> refused
      """;

    @Test
    void theWholeTable() {
        List<String> lines = new ArrayList<>();
        for (NodeState s : NodeState.values()) {
            for (Action a : Action.values()) {
                Optional<NodeState> next = Lifecycle.next(s, a);
                lines.add(s.wireName() + " " + a.wireName() + " -> "
                        + next.map(NodeState::wireName).orElse("refused"));
                assertEquals(next.isPresent(), Lifecycle.legalFrom(a).contains(s));
            }
        }
        assertEquals(EXPECTED, String.join("\n", lines) + "\n");
    }

    @Test
    void wireNames() {
        for (Action a : Action.values()) {
            assertEquals(Optional.of(a), Action.fromWireName(a.wireName()));
        }
        assertEquals(Optional.empty(), Action.fromWireName("explode"));
    }
}
