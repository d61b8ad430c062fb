package dev.anvil.core.boot;

import dev.anvil.core.net.Ipv4Address;
import java.util.Optional;

/** Files rendered on request (per-node boot configs), never written to disk; they take precedence over the root. */
@FunctionalInterface
public interface GeneratedFiles {
    /**
     * The file's bytes for this client, or empty if the path is not a generated one. URLs in it name the server
     * as the client reached it ({@link BootClient}).
     */
    Optional<byte[]> render(String path, BootClient client);

    /** As {@link #render(String, BootClient)} for an IPv4 client. */
    default Optional<byte[]> render(String path, Ipv4Address client) {
        return render(path, BootClient.v4(client));
    }
}
