package dev.anvil.tasks;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchAlgoNegoFailException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UserInfo;
import dev.anvil.core.node.HostKey;
import dev.anvil.core.node.HostKeyMismatch;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH through JSch with the admin node's own key ({@code <stateDir>/ssh/id_rsa}, RSA 3072, made on first
 * start and used with the rsa-sha2-256/512 signatures current OpenSSH servers accept;
 * the answer files put its public half in root's authorized_keys).
 *
 * <p>Host keys are pinned per node: the installed system reports its SSH host public keys in its
 * install-complete callback, they are stored with the node (by its id; a new install forgets them), and
 * every session checks the key the server presents against them (strict checking through a
 * {@link HostKeyRepository} over {@code pinnedKeys}, offering only the pinned key types). A server that
 * presents another key (or none of a pinned type) is not logged in to: the session fails with
 * {@link NodeShell.HostKeyMismatchException}, {@code hostKeys.mismatch} flags the node (the aliveness check
 * reports it not alive, a task fails with the reason). A node with no stored keys (installed by a template
 * that sends none, or before pinning existed) is logged in to with any host key, as before, and that is logged
 * once per node.
 *
 * <p>Size: over 300 lines because SSH session, host-key pinning and the remote timeout wrapper share one session's
 * life.
 */
public final class JschShell implements NodeShell {
    private static final Logger log = LoggerFactory.getLogger(JschShell.class);

    /** What the wiring does when a node presents an unpinned key, or a pinned one again. */
    public interface HostKeyListener {
        void mismatch(Node node, HostKeyMismatch seen);

        /** A flagged node (its {@link Node#hostKeyMismatch()} is set) presented a pinned key. */
        void verified(Node node);

        /** The listener that calls {@code mismatch} and {@code verified}. */
        static HostKeyListener of(
                java.util.function.BiConsumer<Node, HostKeyMismatch> mismatch,
                java.util.function.Consumer<Node> verified) {
            return new HostKeyListener() {
                @Override
                public void mismatch(Node node, HostKeyMismatch seen) {
                    mismatch.accept(node, seen);
                }

                @Override
                public void verified(Node node) {
                    verified.accept(node);
                }
            };
        }
    }

    private final Path privateKey;
    private final String user;
    private final int port;
    private final Duration connectTimeout;
    private final Function<Node, Optional<String>> hostOf;
    private final LongFunction<List<HostKey>> pinnedKeys;
    private final HostKeyListener hostKeys;
    private final Clock clock;
    private final Set<Long> unpinnedLogged = ConcurrentHashMap.newKeySet();

    /** No node's host key pinned (tests). */
    public JschShell(
            Path privateKey, String user, int port, Duration connectTimeout, Function<Node, Optional<String>> hostOf) {
        this(
                privateKey,
                user,
                port,
                connectTimeout,
                hostOf,
                id -> List.of(),
                new HostKeyListener() {
                    @Override
                    public void mismatch(Node node, HostKeyMismatch seen) {}

                    @Override
                    public void verified(Node node) {}
                },
                Clock.systemUTC());
    }

    /** @param pinnedKeys a node's pinned host keys by its id (empty: not pinned) */
    public JschShell(
            Path privateKey,
            String user,
            int port,
            Duration connectTimeout,
            Function<Node, Optional<String>> hostOf,
            LongFunction<List<HostKey>> pinnedKeys,
            HostKeyListener hostKeys,
            Clock clock) {
        this.privateKey = privateKey;
        this.user = user;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.hostOf = hostOf;
        this.pinnedKeys = pinnedKeys;
        this.hostKeys = hostKeys;
        this.clock = clock;
    }

    /** The node's first IPv4 address. */
    public static Optional<String> firstAddress(Node node) {
        return node.addresses().stream().findFirst().map(NodeAddress::ipv4).map(Object::toString);
    }

    /** The node's address on the admin network, else its first one. */
    public static Function<Node, Optional<String>> addressOn(String adminNetwork) {
        return node -> node.addressOn(adminNetwork)
                .map(NodeAddress::ipv4)
                .map(Object::toString)
                .or(() -> firstAddress(node));
    }

    /**
     * As {@link #addressOn(String)}, else {@code unreserved}: where a node without a reservation (a discovered
     * machine on the DHCP pool) is now, e.g. the address its live lease holds.
     */
    public static Function<Node, Optional<String>> addressOn(
            String adminNetwork, Function<Node, Optional<String>> unreserved) {
        Function<Node, Optional<String>> reserved = addressOn(adminNetwork);
        return node -> reserved.apply(node).or(() -> unreserved.apply(node));
    }

    /** The private key's file name in the key directory; the public key is beside it with ".pub". */
    public static final String KEY_FILE = "id_rsa";

    /** Makes the admin key pair unless it exists; returns the private key's path. */
    public static Path ensureKey(Path dir) throws IOException {
        Path key = dir.resolve(KEY_FILE);
        Path pub = dir.resolve(KEY_FILE + ".pub");
        if (Files.isRegularFile(key) && Files.isRegularFile(pub)) {
            return key;
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        try {
            KeyPair kp = KeyPair.genKeyPair(new JSch(), KeyPair.RSA, 3072);
            Path tmp = dir.resolve(KEY_FILE + ".tmp");
            kp.writePrivateKey(tmp.toString());
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            kp.writePublicKey(pub.toString(), "anvil-admin");
            Files.move(tmp, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            kp.dispose();
        } catch (JSchException e) {
            throw new IOException("cannot make the admin SSH key: " + e.getMessage(), e);
        }
        return key;
    }

    private Session open(Node node) throws JSchException, IOException {
        String host = hostOf.apply(node).orElseThrow(() -> new IOException("node " + node.name() + " has no address"));
        List<HostKey> pinned = pinnedKeys.apply(node.id());
        JSch jsch = new JSch();
        jsch.addIdentity(privateKey.toString());
        Session s = jsch.getSession(user, host, port);
        s.setConfig("PreferredAuthentications", "publickey");
        if (pinned.isEmpty()) {
            if (unpinnedLogged.add(node.id())) {
                log.warn(
                        "the SSH host key of node {} is not pinned (its installed system reported none): any key it "
                                + "presents is accepted",
                        node.name());
            }
            s.setConfig("StrictHostKeyChecking", "no");
            s.connect((int) connectTimeout.toMillis());
            return s;
        }
        Pinned repo = new Pinned(pinned);
        s.setHostKeyRepository(repo);
        s.setConfig("StrictHostKeyChecking", "yes");
        s.setConfig("server_host_key", algorithms(pinned));
        try {
            s.connect((int) connectTimeout.toMillis());
        } catch (JSchException e) {
            Optional<HostKeyMismatch> seen = repo.mismatch(e);
            if (seen.isPresent()) {
                log.warn(
                        "node {}: {}, pinned: {}; not logged in",
                        node.name(),
                        seen.get().describe(),
                        HostKey.summary(pinned));
                hostKeys.mismatch(node, seen.get());
                throw new HostKeyMismatchException(node, pinned, seen.get());
            }
            throw e;
        }
        if (node.hostKeyMismatch().isPresent()) {
            hostKeys.verified(node);
        }
        return s;
    }

    /** The host key algorithms for the pinned keys' types (an RSA key signs with SHA-2 or SHA-1). */
    static String algorithms(List<HostKey> pinned) {
        return String.join(
                ",",
                pinned.stream()
                        .map(HostKey::type)
                        .distinct()
                        .map(t -> t.equals("ssh-rsa") ? "rsa-sha2-512,rsa-sha2-256,ssh-rsa" : t)
                        .toList());
    }

    /** The node's pinned keys as JSch's host key repository; remembers the key the server presented. */
    private final class Pinned implements HostKeyRepository {
        private final List<HostKey> keys;
        private volatile byte[] presented;

        Pinned(List<HostKey> keys) {
            this.keys = keys;
        }

        @Override
        public int check(String host, byte[] key) {
            presented = key.clone();
            return keys.stream().anyMatch(k -> k.matches(key)) ? OK : CHANGED;
        }

        /** What made {@code e}, when it was the host key: another key, or no key of a pinned type offered. */
        Optional<HostKeyMismatch> mismatch(JSchException e) {
            byte[] p = presented;
            if (p != null && keys.stream().noneMatch(k -> k.matches(p))) {
                String type = HostKey.embeddedType(p);
                return Optional.of(new HostKeyMismatch(
                        type == null ? "unknown" : type, Optional.of(HostKey.fingerprint(p)), clock.instant()));
            }
            if (p == null
                    && e instanceof JSchAlgoNegoFailException nego
                    && nego.getAlgorithmName().contains("host_key")) {
                return Optional.of(new HostKeyMismatch(nego.getServerProposal(), Optional.empty(), clock.instant()));
            }
            return Optional.empty();
        }

        @Override
        public void add(com.jcraft.jsch.HostKey hostkey, UserInfo ui) {
            // pinned keys come from the install-complete callback only
        }

        @Override
        public void remove(String host, String type) {}

        @Override
        public void remove(String host, String type, byte[] key) {}

        @Override
        public String getKnownHostsRepositoryID() {
            return "anvil-pinned-host-keys";
        }

        @Override
        public com.jcraft.jsch.HostKey[] getHostKey() {
            return new com.jcraft.jsch.HostKey[0];
        }

        @Override
        public com.jcraft.jsch.HostKey[] getHostKey(String host, String type) {
            return new com.jcraft.jsch.HostKey[0];
        }
    }

    @Override
    public boolean login(Node node) {
        try {
            Session s = open(node);
            s.disconnect();
            return true;
        } catch (JSchException | IOException e) {
            return false;
        }
    }

    /** Seconds between the remote {@code timeout}'s TERM and its KILL. */
    static final int KILL_AFTER_SECONDS = 5;

    /**
     * Runs {@code command} under the remote {@code timeout} (coreutils or busybox), so it is ended on the node
     * even when this side cannot reach it any more: TERM after {@code timeout} (rounded up to whole seconds),
     * KILL {@link #KILL_AFTER_SECONDS} later. A node without {@code timeout} runs the command as it is. When the
     * time is up here, the command is sent TERM over the channel too (the SSH "signal" request; {@code timeout}
     * passes it on), and the channel and the session are closed whatever happened.
     */
    @Override
    public Result run(Node node, String command, Optional<String> stdin, Duration timeout) throws IOException {
        Session s;
        try {
            s = open(node);
        } catch (JSchException e) {
            throw new IOException("ssh " + user + "@" + node.name() + ": " + e.getMessage(), e);
        }
        ChannelExec ch = null;
        try {
            ch = (ChannelExec) s.openChannel("exec");
            ch.setCommand(bounded(command, timeout));
            ch.setInputStream(stdin.map(t -> (InputStream) new ByteArrayInputStream(t.getBytes(StandardCharsets.UTF_8)))
                    .orElse(new ByteArrayInputStream(new byte[0])));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ch.setOutputStream(out);
            ch.setErrStream(out);
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            ch.connect((int) connectTimeout.toMillis());
            while (!ch.isClosed()) {
                if (System.nanoTime() > deadline) {
                    kill(ch);
                    throw timedOut(command, timeout);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    kill(ch);
                    throw new IOException("interrupted");
                }
            }
            int code = ch.getExitStatus();
            if (code == TIMED_OUT && System.nanoTime() - start >= timeout.toNanos()) {
                throw timedOut(command, timeout); // the remote timeout ended it first
            }
            return new Result(code, out.toString(StandardCharsets.UTF_8));
        } catch (JSchException e) {
            throw new IOException("ssh " + node.name() + ": " + e.getMessage(), e);
        } finally {
            if (ch != null) {
                ch.disconnect();
            }
            s.disconnect();
        }
    }

    /** The exit status of {@code timeout} when it ended the command. */
    static final int TIMED_OUT = 124;

    /** {@code command} under the remote {@code timeout}, as one line for the login shell. */
    static String bounded(String command, Duration timeout) {
        long secs = Math.max(1, (timeout.toMillis() + 999) / 1000);
        String quoted = "'" + command.replace("'", "'\\''") + "'";
        return "if command -v timeout >/dev/null 2>&1; then exec timeout -k " + KILL_AFTER_SECONDS + " " + secs
                + " sh -c " + quoted + "; else exec sh -c " + quoted + "; fi";
    }

    /** Asks the remote side to end the command now (best effort: the remote timeout is the backstop). */
    private static void kill(ChannelExec ch) {
        try {
            ch.sendSignal("TERM");
            long until = System.nanoTime() + 1_000_000_000L;
            while (!ch.isClosed() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("ssh: cannot signal the remote command: {}", e.toString());
        }
    }

    private static IOException timedOut(String command, Duration timeout) {
        return new IOException(
                "timed out after " + timeout.toSeconds() + " s (the remote command was ended): " + command);
    }
}
