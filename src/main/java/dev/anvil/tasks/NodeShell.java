package dev.anvil.tasks;

import dev.anvil.core.node.HostKey;
import dev.anvil.core.node.HostKeyMismatch;
import dev.anvil.core.node.Node;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** Commands on a node over SSH as root with the admin node's key. */
public interface NodeShell {
    record Result(int exitCode, String output) {}

    /** Logs in and out: true when the node accepts the admin key (the SSH half of aliveness). */
    boolean login(Node node);

    /** The node's SSH server presented a host key that is not pinned for it: nothing was sent to it. */
    final class HostKeyMismatchException extends IOException {
        private final transient HostKeyMismatch mismatch;

        public HostKeyMismatchException(Node node, java.util.List<HostKey> pinned, HostKeyMismatch mismatch) {
            super("host key mismatch on " + node.name() + ": " + mismatch.describe() + ", pinned: "
                    + HostKey.summary(pinned) + " (not trusted: the login was refused)");
            this.mismatch = mismatch;
        }

        public HostKeyMismatch mismatch() {
            return mismatch;
        }
    }

    /** Runs {@code command} (with {@code stdin} fed to it) and returns its exit code and output. */
    Result run(Node node, String command, Optional<String> stdin, Duration timeout) throws IOException;
}
