package dev.anvil;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.CommandLine;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.lease.LeaseBook;
import dev.anvil.dhcp.policy.Decision;
import dev.anvil.dhcp.policy.DhcpResponder;
import dev.anvil.dhcp.server.DhcpServer;
import dev.anvil.dhcp.snapshot.DhcpSnapshot;
import dev.anvil.dhcp.snapshot.SnapshotCodec;
import dev.anvil.dhcp.snapshot.SnapshotKeeper;
import dev.anvil.store.journal.JournalLeaseStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DHCP before everything else: at the very start of {@code anvild}, before the configuration is parsed and the
 * store is opened (together about a second on one core), the DHCP server is started from the state
 * directory's snapshot ({@link DhcpSnapshot}, kept exact by {@link SnapshotKeeper}) and the lease journal. The
 * daemon then goes on as usual and takes this server, its lease journal, node index and network catalog over
 * ({@link Anvild}); the node index asks the store from then on until it is loaded.
 *
 * <p>The snapshot is used only when its fingerprint (the flags, the configuration file's bytes, the code) is
 * the one of this start, when its state directory is this one, and when this process holds the state
 * directory's lock ({@code anvild.lock}): a second daemon on the same directory must not answer. Otherwise
 * (also with no snapshot, a torn one, or DHCP off) nothing starts here and DHCP starts once the store is open,
 * as before. Nothing here logs until the server runs: the reason is kept for the daemon's log.
 *
 * <p>Size: over 300 lines because the whole early start (fingerprint, lock, snapshot, warm-up, hand-over checks) must
 * be read together to see what may answer before the store is open.
 */
final class EarlyDhcp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EarlyDhcp.class);
    static final String LOCK_FILE = "anvild.lock";

    private final byte[] fingerprint;
    private final String outcome;
    private final DhcpSnapshot snapshot;
    private final JournalLeaseStore leases;
    private final NodeDirectory directory;
    private final NetworkCatalog catalog;
    private DhcpServer server;
    private final Path lockDir;
    private FileChannel lockChannel;

    private EarlyDhcp(
            byte[] fingerprint,
            String outcome,
            DhcpSnapshot snapshot,
            JournalLeaseStore leases,
            NodeDirectory directory,
            NetworkCatalog catalog,
            DhcpServer server,
            Path lockDir,
            FileChannel lockChannel) {
        this.fingerprint = fingerprint;
        this.outcome = outcome;
        this.snapshot = snapshot;
        this.leases = leases;
        this.directory = directory;
        this.catalog = catalog;
        this.server = server;
        this.lockDir = lockDir;
        this.lockChannel = lockChannel;
    }

    /** Nothing started; the snapshot this daemon writes is bound to {@code fingerprint}. */
    static EarlyDhcp none(byte[] fingerprint, String why) {
        return new EarlyDhcp(fingerprint, why, null, null, null, null, null, null, null);
    }

    private static EarlyDhcp none(byte[] fingerprint, String why, Path lockDir, FileChannel lock) {
        return new EarlyDhcp(fingerprint, why, null, null, null, null, null, lockDir, lock);
    }

    /**
     * Takes {@code <stateDir>/anvild.lock} for the life of this process (released when the channel closes, also
     * by a crash). Throws if another process holds it: one daemon per state directory.
     */
    static FileChannel lock(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        FileChannel ch =
                FileChannel.open(stateDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (held == null) {
            ch.close();
            throw new IllegalStateException("another process (an anvild?) holds " + stateDir.resolve(LOCK_FILE));
        }
        return ch;
    }

    /** Tries to start DHCP from the snapshot; never throws (a failure is the outcome). */
    static EarlyDhcp tryStart(String[] args, CommandLine cl, Clock clock) {
        byte[] fp;
        try {
            fp = fingerprint(args, cl.config());
        } catch (IOException | RuntimeException e) {
            return none(new byte[0], "no start-up snapshot: cannot read the configuration (" + e.getMessage() + ")");
        }
        Path stateDir;
        try {
            stateDir = guessStateDir(cl);
        } catch (IOException | RuntimeException e) {
            return none(fp, "no start-up snapshot: " + e.getMessage());
        }
        if (!Files.isDirectory(stateDir)) {
            return none(fp, "no start-up snapshot: no state directory " + stateDir + " yet");
        }
        FileChannel lock;
        try {
            lock = lock(stateDir);
        } catch (IOException | RuntimeException e) {
            return none(fp, "no start-up snapshot: " + e.getMessage());
        }
        Optional<DhcpSnapshot> read;
        try {
            read = SnapshotKeeper.read(stateDir);
        } catch (SnapshotCodec.BadSnapshotException e) {
            return none(fp, "start-up snapshot not used: " + e.getMessage(), stateDir, lock);
        }
        if (read.isEmpty()) {
            return none(fp, "no start-up snapshot in " + stateDir, stateDir, lock);
        }
        DhcpSnapshot s = read.get();
        if (!java.util.Arrays.equals(s.fingerprint(), fp)) {
            return none(fp, "start-up snapshot not used: made for other flags, configuration or code", stateDir, lock);
        }
        if (!s.stateDir().equals(stateDir.toAbsolutePath().normalize())) {
            return none(fp, "start-up snapshot not used: made for the state directory " + s.stateDir(), stateDir, lock);
        }
        if (!s.dhcp().enabled()) {
            return none(fp, "DHCP is off", stateDir, lock);
        }
        JournalLeaseStore leases = null;
        try {
            leases = JournalLeaseStore.open(stateDir);
            NodeDirectory directory = NodeDirectory.deferred(s.nodes()::byMac, () -> 0);
            NetworkCatalog catalog = new NetworkCatalog(s.networks());
            DhcpResponder responder = new DhcpResponder(
                    s.dhcp(),
                    new BootPlanner(new BootEnvironments(s.bootEnvs()), s.dhcp().loaders(), s.httpPort()));
            warm(responder, s, clock);
            DhcpServer server = new DhcpServer(s.dhcp(), catalog, directory, responder, leases, clock);
            server.start();
            return new EarlyDhcp(
                    fp,
                    "DHCP answering from the start-up snapshot (" + s.nodes().size() + " nodes)",
                    s,
                    leases,
                    directory,
                    catalog,
                    server,
                    stateDir,
                    lock);
        } catch (Exception e) {
            if (leases != null) {
                leases.close();
            }
            return none(fp, "start-up snapshot not used: " + e.getMessage(), stateDir, lock);
        }
    }

    /**
     * One made-up DISCOVER through the codec and the decision, before the socket opens: the first real one then
     * finds that code loaded and linked instead of doing it while the rest of the start competes for the CPU.
     * Nothing is recorded (a lease book of its own, thrown away).
     */
    static void warm(DhcpResponder responder, DhcpSnapshot s, Clock clock) {
        if (s.networks().isEmpty()) {
            return;
        }
        Network net = s.networks().get(0);
        DhcpPacket discover = new DhcpPacket(
                DhcpPacket.BOOTREQUEST,
                1,
                6,
                0,
                1,
                0,
                0,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                java.util.Arrays.copyOf(new MacAddress(0x029900000001L).toBytes(), 16),
                new byte[64],
                new byte[128],
                DhcpOptions.builder()
                        .putByte(DhcpOption.MESSAGE_TYPE, MessageType.DISCOVER.code())
                        .build());
        try {
            DhcpPacket req =
                    DhcpCodec.decode(DhcpCodec.encode(discover, DhcpCodec.DEFAULT_MAX_SIZE, DhcpCodec.MIN_BOOTP_SIZE));
            Decision d = responder.respond(
                    req,
                    new DhcpResponder.Context(
                            net,
                            net.serverAddress().orElse(net.cidr().network()),
                            Optional.empty(),
                            new LeaseBook(List.of(), name -> Optional.of(net)),
                            clock.instant()));
            d.reply().ifPresent(r -> DhcpCodec.encode(r, DhcpCodec.DEFAULT_MAX_SIZE, DhcpCodec.MIN_BOOTP_SIZE));
        } catch (RuntimeException | dev.anvil.dhcp.codec.MalformedPacketException e) {
            // Only a warm-up, but a canned DISCOVER the responder cannot answer is a bug worth seeing.
            log.warn("dhcp warm-up from the start-up snapshot failed: {}", e.toString());
        }
    }

    /** What happened, for the log. */
    String outcome() {
        return outcome;
    }

    byte[] fingerprint() {
        return fingerprint.clone();
    }

    boolean running() {
        return server != null;
    }

    DhcpServer server() {
        return server;
    }

    JournalLeaseStore leases() {
        return leases;
    }

    NodeDirectory directory() {
        return directory;
    }

    NetworkCatalog catalog() {
        return catalog;
    }

    /**
     * Why the parsed configuration and the opened store do not give what the snapshot said, or empty when they
     * do (the fingerprint makes a difference a bug, but the check is cheap).
     */
    Optional<String> mismatch(AnvilConfig config, List<Network> storeNetworks) {
        if (!snapshot.stateDir().equals(config.stateDir().toAbsolutePath().normalize())) {
            return Optional.of("state directory " + config.stateDir());
        }
        if (!snapshot.dhcp().equals(config.dhcp())) {
            return Optional.of("dhcp configuration");
        }
        if (snapshot.httpPort() != config.http().listen().port()) {
            return Optional.of("http port");
        }
        if (!localBoot(snapshot.bootEnvs())
                .equals(localBoot(config.bootEnvironments().all()))) {
            return Optional.of("boot environments");
        }
        if (!new HashMap<>(byName(snapshot.networks())).equals(byName(storeNetworks))) {
            return Optional.of("networks");
        }
        return Optional.empty();
    }

    private void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The state-directory lock taken here, if it is for {@code stateDir} (else it is released). */
    Optional<FileChannel> lockFor(Path stateDir) {
        if (lockChannel != null
                && !lockDir.toAbsolutePath()
                        .normalize()
                        .equals(stateDir.toAbsolutePath().normalize())) {
            close();
        }
        return Optional.ofNullable(lockChannel);
    }

    /** Releases the lock (at the daemon's end; the lease journal and server are the daemon's to close). */
    @Override
    public void close() {
        FileChannel lockChannel = this.lockChannel;
        this.lockChannel = null;
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                // The lock goes with the channel, closed or not; the error says something about the file system.
                log.warn("closing {}: {}", lockDir.resolve(LOCK_FILE), e.toString());
            }
        }
    }

    /** Stops the server and closes the lease journal started here (the daemon did not take them over). */
    void discard() {
        stopServer();
        if (leases != null) {
            leases.close();
        }
    }

    static Map<String, Boolean> localBoot(java.util.Collection<BootEnvironment> envs) {
        Map<String, Boolean> m = new HashMap<>();
        envs.forEach(e -> m.put(e.name(), e.localBoot()));
        return m;
    }

    private static Map<String, Network> byName(List<Network> nets) {
        Map<String, Network> m = new HashMap<>();
        nets.forEach(n -> m.put(n.name(), n));
        return m;
    }

    /**
     * The inputs everything in the snapshot derives from, as bytes: the flags, the configuration file's content
     * (or the embedded default's) and the code (the jar's path, size and modification time).
     */
    static byte[] fingerprint(String[] args, Optional<Path> config) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(4096);
        b.write("anvil-dhcp-snapshot-1\n".getBytes(StandardCharsets.UTF_8));
        for (String a : args) {
            b.write(("arg " + a.length() + ":" + a + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] text = configText(config);
        b.write(("config " + text.length + "\n").getBytes(StandardCharsets.UTF_8));
        b.write(text);
        b.write(("\ncode " + codeStamp() + "\n").getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    private static byte[] configText(Optional<Path> config) throws IOException {
        if (config.isPresent()) {
            return Files.readAllBytes(config.get());
        }
        try (InputStream in = EarlyDhcp.class.getClassLoader().getResourceAsStream("anvil/default-config.yaml")) {
            return in == null ? new byte[0] : in.readAllBytes();
        }
    }

    private static String codeStamp() {
        try {
            Path code = Path.of(EarlyDhcp.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return code + " " + Files.size(code) + " "
                    + Files.getLastModifiedTime(code).toMillis();
        } catch (Exception e) {
            // Without the code's identity no snapshot may be trusted: one written by other code would look current.
            log.warn("cannot identify the running code ({}): the start-up snapshot is not used", e.toString());
            return "unknown " + System.nanoTime();
        }
    }

    /**
     * Where the state directory is, without parsing the configuration: {@code --state-dir}, else the top-level
     * {@code stateDir:} line of the configuration (or the embedded default), else {@code ./var}. A wrong guess
     * only means no snapshot is found (or its recorded directory differs): the snapshot records the directory the
     * full parse gave, and the daemon checks it again after parsing.
     */
    static Path guessStateDir(CommandLine cl) throws IOException {
        if (cl.stateDir().isPresent()) {
            return cl.stateDir().get();
        }
        String text = new String(configText(cl.config()), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.startsWith("stateDir:")) {
                String v = line.substring("stateDir:".length()).strip();
                int hash = v.indexOf(" #");
                if (hash >= 0) {
                    v = v.substring(0, hash).strip();
                }
                if (v.length() >= 2
                        && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                    v = v.substring(1, v.length() - 1);
                }
                if (v.isEmpty()) {
                    throw new IOException("cannot tell the state directory from the configuration");
                }
                return Path.of(v);
            }
        }
        return Path.of("./var");
    }
}
