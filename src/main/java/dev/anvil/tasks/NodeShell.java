package dev.anvil.tasks;

import dev.anvil.core.node.Node;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** Commands on a node over SSH as root with the admin node's key. */
public interface NodeShell {
  record Result(int exitCode, String output) {}

  /** Logs in and out: true when the node accepts the admin key (the SSH half of aliveness). */
  boolean login(Node node);

  /** Runs {@code command} (with {@code stdin} fed to it) and returns its exit code and output. */
  Result run(Node node, String command, Optional<String> stdin, Duration timeout) throws IOException;
}
