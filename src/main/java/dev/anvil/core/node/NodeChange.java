package dev.anvil.core.node;

import java.util.List;
import java.util.Optional;

/** A validated partial update: each present field replaces the node's value. */
public record NodeChange(
    Optional<String> name,
    Optional<List<MacAddress>> macs,
    Optional<String> bootEnv,
    Optional<Optional<String>> targetOs,
    Optional<Boolean> available,
    Optional<Boolean> alive,
    Optional<NodeState> state) {

  public static NodeChange none() {
    return new NodeChange(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty());
  }

  public NodeChange withBootEnv(String env) {
    return new NodeChange(name, macs, Optional.of(env), targetOs, available, alive, state);
  }

  public NodeChange withMacs(List<MacAddress> m) {
    return new NodeChange(name, Optional.of(m), bootEnv, targetOs, available, alive, state);
  }

  public NodeChange withTargetOs(Optional<String> os) {
    return new NodeChange(name, macs, bootEnv, Optional.of(os), available, alive, state);
  }

  public NodeChange withAlive(boolean a) {
    return new NodeChange(name, macs, bootEnv, targetOs, available, Optional.of(a), state);
  }

  public NodeChange withState(NodeState s) {
    return new NodeChange(name, macs, bootEnv, targetOs, available, alive, Optional.of(s));
  }

  public boolean isEmpty() {
    return name.isEmpty() && macs.isEmpty() && bootEnv.isEmpty() && targetOs.isEmpty() && available.isEmpty()
        && alive.isEmpty() && state.isEmpty();
  }
}
