package dev.anvil.dhcp.snapshot;

import dev.anvil.app.NodeService;
import dev.anvil.core.net.Network;
import dev.anvil.store.NetworkStore;
import dev.anvil.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code <stateDir>/dhcp.snapshot} exact: whenever the file exists, no node or network write has begun
 * since it was written. So a start that finds it may answer DHCP from it before the store is open.
 *
 * <p>Every write that can change what DHCP answers (node creates, updates, lifecycle steps, deletes; network
 * changes) is bracketed by {@link #begin()} and {@link #end()}. {@code begin} deletes the file (and syncs the
 * directory) <em>before</em> the write can commit, the first time after each rewrite; the caller's write fails
 * if the file cannot be deleted. {@code end} (after the commit and after the node index saw the event) asks for
 * a rewrite. The rewrite runs on the keeper's thread {@value #DELAY_MS} ms later, only when no write is in
 * flight, from the current node index and networks; it is put in place (temporary file, fsync, rename, directory
 * fsync) only if no write began while it was built. A crash at any point leaves either no file or an exact one.
 *
 * <p>While writes keep coming the file stays absent (a crash then means a start without it: DHCP answers once
 * the store is open, as before). The file is bound to the inputs it was derived from by its fingerprint.
 */
public final class SnapshotKeeper implements NodeService.WriteGuard {
    private static final Logger log = LoggerFactory.getLogger(SnapshotKeeper.class);
    public static final String FILE = "dhcp.snapshot";
    static final long DELAY_MS = 200;
    static final long RETRY_MS = 20;

    private final Path file;
    private final Supplier<DhcpSnapshot> current;
    private final boolean keep;
    private final Object lock = new Object();
    /** Guarded by lock: writes begun, writes in flight, whether the file on disk is current. */
    private long generation;

    private int inFlight;
    private boolean onDisk;
    private boolean scheduled;
    private ScheduledExecutorService writer;

    /** Until {@link #start()} rewrites it, a file found here is treated as current: the first write deletes it. */
    public SnapshotKeeper(Path stateDir, Supplier<DhcpSnapshot> current) {
        this(stateDir, current, true);
    }

    /**
     * {@code keep} false: a file found is removed at the start and none is written, for a store other instances write
     * too (their node changes never pass here, so a snapshot could be stale; doc/scale-out.md).
     */
    public SnapshotKeeper(Path stateDir, Supplier<DhcpSnapshot> current, boolean keep) {
        this.file = stateDir.resolve(FILE);
        this.current = current;
        this.keep = keep;
        this.onDisk = Files.exists(file);
    }

    public Path file() {
        return file;
    }

    /** Reads the snapshot file, if there is an intact one. */
    public static Optional<DhcpSnapshot> read(Path stateDir) throws SnapshotCodec.BadSnapshotException {
        try {
            return Optional.of(SnapshotCodec.decode(Files.readAllBytes(stateDir.resolve(FILE))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SnapshotCodec.BadSnapshotException("cannot read: " + e.getMessage());
        }
    }

    @Override
    public void begin() {
        synchronized (lock) {
            generation++;
            inFlight++;
            if (onDisk) {
                try {
                    Files.deleteIfExists(file);
                    syncDirectory(file.getParent());
                } catch (IOException e) {
                    inFlight--;
                    throw new StoreException(
                            "cannot remove the DHCP snapshot " + file + " before a write: " + e.getMessage(), e);
                }
                onDisk = false;
            }
        }
    }

    @Override
    public void end() {
        synchronized (lock) {
            inFlight--;
            scheduleLocked(DELAY_MS);
        }
    }

    /** Starts rewriting (the node index is loaded): writes the file now, then after every change. */
    public void start() {
        if (!keep) {
            begin(); // removes a file found
            end();
            return;
        }
        synchronized (lock) {
            writer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dhcp-snapshot");
                t.setDaemon(true);
                return t;
            });
            scheduled = true;
            writer.execute(() -> rewrite(true));
        }
    }

    /**
     * Stops rewriting, then writes the file if it is due and no write is in flight (also before {@link #start()}:
     * the snapshot source then waits for the node index).
     */
    public void close() {
        if (!keep) {
            return;
        }
        ScheduledExecutorService w;
        synchronized (lock) {
            w = writer;
            writer = null;
        }
        if (w != null) {
            w.shutdownNow();
            try {
                w.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean due;
        synchronized (lock) {
            due = !onDisk && inFlight == 0;
        }
        if (due) {
            writeNow();
        }
    }

    private void scheduleLocked(long delayMs) {
        if (writer != null && !scheduled && !onDisk) {
            scheduled = true;
            writer.schedule(() -> rewrite(false), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void rewrite(boolean always) {
        synchronized (lock) {
            scheduled = false;
            if (onDisk && !always) {
                return;
            }
            if (inFlight > 0) {
                scheduleLocked(RETRY_MS);
                return;
            }
        }
        if (!writeNow()) {
            synchronized (lock) {
                scheduleLocked(DELAY_MS);
            }
        }
    }

    /** Builds and installs the file; false if a write began meanwhile (or it failed) and it must be tried again. */
    boolean writeNow() {
        long gen;
        synchronized (lock) {
            if (inFlight > 0) {
                return false;
            }
            gen = generation;
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            byte[] bytes = SnapshotCodec.encode(current.get());
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            synchronized (lock) {
                if (gen != generation || inFlight > 0) {
                    Files.deleteIfExists(tmp);
                    return false;
                }
                // Under the lock: no write can begin between the check and the rename.
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                syncDirectory(file.getParent());
                onDisk = true;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "cannot write the DHCP snapshot {}: {} (the next start answers DHCP once the store is open)",
                    file,
                    e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException d) {
                log.warn("cannot remove {}: {} (a leftover, never read)", tmp, d.toString());
            }
            return false;
        }
    }

    /** The network store with every write bracketed by {@link #begin()} and {@link #end()}. */
    public NetworkStore guard(NetworkStore networks) {
        return new NetworkStore() {
            @Override
            public List<Network> list() {
                return networks.list();
            }

            @Override
            public Optional<Network> get(String name) {
                return networks.get(name);
            }

            @Override
            public void create(Network network) {
                begin();
                try {
                    networks.create(network);
                } finally {
                    end();
                }
            }

            @Override
            public void put(Network network) {
                begin();
                try {
                    networks.put(network);
                } finally {
                    end();
                }
            }

            @Override
            public void delete(String name) {
                begin();
                try {
                    networks.delete(name);
                } finally {
                    end();
                }
            }

            @Override
            public int countNodes(String name) {
                return networks.countNodes(name);
            }
        };
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
