package dev.anvil.core.node;

import java.util.Optional;

/** A committed change to a node. {@code before} is empty for a creation, {@code after} for a deletion. */
public record NodeEvent(Kind kind, Optional<Node> before, Optional<Node> after) {

  public enum Kind { CREATED, UPDATED, BOOT_ENV_CHANGED, DELETED }

  /** The node as it is now, or as it was when it was deleted. */
  public Node node() {
    return after.or(() -> before).orElseThrow();
  }
}
