package dev.anvil.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The TFTP server.
 *
 * @param listen where read requests arrive (0.0.0.0:69); each transfer then runs from its own ephemeral port
 * @param root the directory served; nothing outside it is ever read
 * @param maxBlksize the largest block agreed to: 1468 fits a 1500-byte MTU without IP fragments
 * @param maxWindowsize the largest RFC 7440 window agreed to
 * @param timeout retransmission timeout when the client asks for none
 * @param retries retransmissions of one window before a transfer is abandoned
 * @param maxClientTimeout the longest RFC 2349 {@code timeout} a client may ask for (a longer one is ignored)
 * @param maxTransfers concurrent transfers (reads and uploads); further requests get ERROR 0 "server busy" until
 *     one ends
 * @param maxTransfersPerClient concurrent transfers from one client address; further requests from it get
 *     ERROR 0 "too many transfers from ..." until one of its own ends
 * @param busyPoll how long the event loops keep polling after a transfer packet instead of sleeping (0: never).
 *     Cuts the wake-up latency a lock-step transfer pays per block, at the price of CPU that clients running
 *     on the same host (VMs) need: off by default
 * @param uploadDirs directories under the root (relative to it) that accept write requests; none by default,
 *     and every write request elsewhere gets ERROR 2
 * @param uploadOverwrite whether an upload may replace an existing file (else ERROR 6)
 * @param maxUploadBytes the largest file an upload may write (ERROR 3 beyond)
 */
public record TftpConfig(
        boolean enabled,
        HostPort listen,
        java.util.Optional<Path> root,
        int maxBlksize,
        int maxWindowsize,
        Duration timeout,
        int retries,
        Duration maxClientTimeout,
        int maxTransfers,
        int maxTransfersPerClient,
        Duration busyPoll,
        java.util.List<Path> uploadDirs,
        boolean uploadOverwrite,
        long maxUploadBytes) {

    /** The root: as configured, else {@code tftp} in the state directory. */
    public Path rootIn(Path stateDir) {
        return root.orElse(stateDir.resolve("tftp"));
    }
}
