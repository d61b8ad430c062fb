package dev.anvil.store.journal;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.store.LeaseStore;
import dev.anvil.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases in an append-only journal ({@code leases.journal}, one CSV line per change:
 * {@code ip,mac,network,expires-epoch-seconds,state}), the design of Kea's memfile backend. A flush is one
 * {@code write(2)} of whole lines, so a kill -9 neither loses nor tears them; a commit is a flush and then an
 * {@code fdatasync(2)} on the store's own sync thread before the ACKs it covers leave, so a power cut loses no
 * lease a client was told it holds. Commits that arrive while a sync runs wait for the next one, which covers
 * them all (group commit): the packet thread never waits for the disk, and under load one sync serves a whole
 * burst of ACKs. A torn last line from a power cut is skipped on load. The journal is rewritten (compacted) through a
 * temporary file and an atomic rename when it has grown to several times the live lease count.
 *
 * <p>Size: over 300 lines because append, group-commit sync and background compaction share one file and one lock;
 * split, their ordering would be harder to check.
 */
public final class JournalLeaseStore implements LeaseStore {
    private static final Logger log = LoggerFactory.getLogger(JournalLeaseStore.class);
    static final String FILE = "leases.journal";
    private static final int MIN_COMPACT_LINES = 10_000;
    /** How long a sync under load waits for more commits to join it (see {@link #syncLoop}). */
    static final long GATHER_NANOS = 300_000;

    private final Path file;
    private FileChannel channel;
    private long lines;
    /** Distinct addresses at the last compaction: the journal is rewritten when it grows well past this. */
    private long liveAtCompaction;

    private ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
    /** Compactions run here, off the writer's thread: appends (and the ACKs waiting on them) go on meanwhile. */
    private final java.util.concurrent.ExecutorService compactor =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "lease-journal-compactor");
                t.setDaemon(true);
                return t;
            });

    private java.util.concurrent.Future<?> compaction;
    /** Commits waiting for the next sync, oldest first; under this object's lock. */
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    private boolean closing;
    private final Thread syncer = new Thread(this::syncLoop, "lease-journal-sync");
    private final LongAdder syncs = new LongAdder();
    private final LongAdder synced = new LongAdder();

    private record Waiter(Runnable durable, Consumer<RuntimeException> failed) {}

    private JournalLeaseStore(Path file) {
        this.file = file;
    }

    public static JournalLeaseStore open(Path stateDir) {
        JournalLeaseStore s = new JournalLeaseStore(stateDir.resolve(FILE));
        try {
            Files.createDirectories(stateDir);
            s.compact();
        } catch (IOException e) {
            throw new StoreException("cannot open the lease journal " + s.file + ": " + e.getMessage(), e);
        }
        s.syncer.setDaemon(true);
        s.syncer.start();
        return s;
    }

    /** Reads the journal: the last line for each address wins. Live state is never kept in memory here. */
    private Map<Ipv4Address, Lease> replay() throws IOException {
        Map<Ipv4Address, Lease> live = new HashMap<>();
        if (!Files.exists(file)) {
            return live;
        }
        int bad = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                Lease l = parse(line);
                live.put(l.ip(), l);
            } catch (RuntimeException e) {
                bad++;
            }
        }
        if (bad > 0) {
            log.warn("lease journal {}: skipped {} unreadable line(s)", file, bad);
        }
        return live;
    }

    static Lease parse(String line) {
        String[] f = line.split(",", -1);
        if (f.length != 5) {
            throw new IllegalArgumentException("expected 5 fields");
        }
        return new Lease(
                Ipv4Address.parse(f[0]),
                MacAddress.parse(f[1]),
                f[2],
                Instant.ofEpochSecond(Long.parseLong(f[3])),
                Lease.State.valueOf(f[4]));
    }

    static String format(Lease l) {
        return l.ip() + "," + l.mac() + "," + l.network() + "," + l.expires().getEpochSecond() + ","
                + l.state().name() + "\n";
    }

    @Override
    public synchronized Collection<Lease> load() {
        try {
            flush();
            return List.copyOf(replay().values());
        } catch (IOException e) {
            throw new StoreException("cannot read the lease journal " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void write(Lease lease) {
        if (lease.state() == Lease.State.OFFERED) {
            throw new IllegalArgumentException("offers are not persisted");
        }
        byte[] line = format(lease).getBytes(StandardCharsets.US_ASCII);
        if (pending.remaining() < line.length) {
            flush();
        }
        pending.put(line);
        lines++;
    }

    @Override
    public synchronized void flush() {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        try {
            while (pending.hasRemaining()) {
                channel.write(pending);
            }
            pending.clear();
            if (lines > Math.max(MIN_COMPACT_LINES, 4L * liveAtCompaction)
                    && (compaction == null || compaction.isDone())
                    && !compactor.isShutdown()) {
                long upTo = channel.size();
                compaction = compactor.submit(() -> compactInBackground(upTo));
            }
        } catch (IOException e) {
            pending.compact();
            throw new StoreException("cannot write the lease journal " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(Runnable durable, Consumer<RuntimeException> failed) {
        synchronized (this) {
            if (closing) {
                throw new StoreException("the lease journal " + file + " is closed", null);
            }
            flush();
            waiting.add(new Waiter(durable, failed));
            notifyAll();
        }
    }

    @Override
    public Map<String, Long> metrics() {
        Map<String, Long> m = new java.util.LinkedHashMap<>(); // in this order, in every run (Map.of is not)
        m.put("leaseSyncs", syncs.sum());
        m.put("leaseCommits", synced.sum());
        return m;
    }

    /** Disk syncs so far, and the commits they served (their ratio is the mean group size). */
    public long[] syncCounts() {
        return new long[] {syncs.sum(), synced.sum()};
    }

    /**
     * The sync thread: takes every waiting commit, syncs once, tells them all; until closed and drained. Under load
     * (the last sync served more than one commit) it first waits {@link #GATHER_NANOS} for more commits to join,
     * as PostgreSQL's {@code commit_delay} does: each sync is a disk flush, whose cost (on a VM, an exit to the
     * hypervisor) dwarfs the wait, and the commits come faster than the flushes. An idle server's commit is synced
     * at once.
     */
    private void syncLoop() {
        int lastGroup = 0;
        while (true) {
            List<Waiter> group;
            FileChannel ch;
            if (lastGroup > 1) {
                LockSupport.parkNanos(GATHER_NANOS);
            }
            synchronized (this) {
                while (waiting.isEmpty() && !closing) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (waiting.isEmpty()) {
                    return;
                }
                group = new ArrayList<>(waiting);
                waiting.clear();
                ch = channel;
            }
            RuntimeException failure = null;
            lastGroup = group.size();
            try {
                force(ch);
                syncs.increment();
                synced.add(group.size());
            } catch (IOException | RuntimeException e) {
                failure = new StoreException("cannot sync the lease journal " + file + ": " + e.getMessage(), e);
            }
            for (Waiter w : group) {
                try {
                    if (failure == null) {
                        w.durable().run();
                    } else {
                        w.failed().accept(failure);
                    }
                } catch (RuntimeException e) {
                    log.warn("lease journal {}: a commit's follow-up failed: {}", file, e.toString());
                }
            }
        }
    }

    /**
     * Syncs the journal's data. A compaction may have swapped the file meanwhile (closing the channel read
     * before): the new file holds everything the old one did, so syncing it serves the same commits.
     */
    private void force(FileChannel ch) throws IOException {
        try {
            ch.force(false);
        } catch (java.nio.channels.ClosedChannelException e) {
            FileChannel now;
            synchronized (this) {
                now = channel;
            }
            now.force(false);
        }
    }

    /**
     * Rewrites the first {@code upTo} bytes (whole lines) compacted into a temporary file without holding the
     * lock; then, under it, appends whatever was journalled since, syncs, and renames it over the journal. Until
     * the rename the old journal stays complete, so a kill -9 at any point loses nothing.
     */
    private void compactInBackground(long upTo) {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            long live;
            FileChannel out = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                live = JournalCompaction.compact(in, upTo, out);
                out.force(true);
            } catch (IOException | RuntimeException e) {
                out.close();
                throw e;
            }
            try (out) {
                synchronized (this) {
                    if (channel == null || !channel.isOpen()) {
                        return;
                    }
                    long end = channel.size();
                    long tailLines = 0;
                    if (end > upTo) {
                        ByteBuffer tail = ByteBuffer.allocate((int) (end - upTo));
                        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                            while (tail.hasRemaining() && in.read(tail, upTo + tail.position()) > 0) {
                                // read on
                            }
                        }
                        tail.flip();
                        for (int i = tail.position(); i < tail.limit(); i++) {
                            if (tail.get(i) == '\n') {
                                tailLines++;
                            }
                        }
                        while (tail.hasRemaining()) {
                            out.write(tail);
                        }
                        // Commits already synced may have lines in this tail: they must be on the disk in the new file
                        // too before it replaces the old one (one sync per compaction, while appends wait).
                        out.force(false);
                    }
                    channel.close();
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    syncDirectory();
                    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                    lines = live + tailLines;
                    liveAtCompaction = live;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("lease journal {}: compaction failed ({}); appending on", file, e.getMessage());
            synchronized (this) {
                try {
                    if (channel == null || !channel.isOpen()) {
                        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                    }
                } catch (IOException e2) {
                    log.error("lease journal {}: cannot reopen: {}", file, e2.getMessage());
                }
            }
        }
    }

    /** Rewrites the journal with one line per address (fsynced before the rename), then appends to it. */
    private void compact() throws IOException {
        if (channel != null) {
            channel.force(false);
            channel.close();
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        List<Lease> all = new ArrayList<>(replay().values());
        StringBuilder sb = new StringBuilder(all.size() * 64);
        for (Lease l : all) {
            sb.append(format(l));
        }
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = all.size();
        liveAtCompaction = all.size();
    }

    /** Makes the rename that replaced the journal durable (the directory entry), as the file's data already is. */
    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public void close() {
        java.util.concurrent.Future<?> c;
        synchronized (this) {
            c = compaction;
        }
        if (c != null) {
            try {
                c.get();
            } catch (Exception e) {
                log.warn("lease journal compaction: {}", e.getMessage());
            }
        }
        compactor.shutdown();
        synchronized (this) {
            closing = true;
            notifyAll();
        }
        try {
            syncer.join(5_000); // the commits that wait get their sync first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeChannel();
    }

    private synchronized void closeChannel() {
        try {
            flush();
            if (channel != null) {
                channel.force(true);
                channel.close();
            }
        } catch (IOException e) {
            log.warn("closing the lease journal: {}", e.getMessage());
        }
    }
}
