package dev.anvil.os;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.BootEnvironments;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OS install trees under the install root, one directory per OS ({@code <installRoot>/<os>/}, served at
 * {@code /install/<os>/}). Importing takes an ISO image (extracted with {@code xorriso}, or {@code bsdtar}
 * when xorriso is missing) or a directory (copied with {@code cp -a}), lays it out in a scratch directory
 * beside the tree, checks that the kernel and initrd of the OS's install boot environment are in it, and
 * only then swaps it in: a failed import leaves the previous tree untouched. Ubuntu's live installer also
 * needs the ISO itself; it is kept in the tree as {@code install.iso}.
 *
 * <p>An import has a deadline (the timeout given here, {@code install.importTimeoutSeconds}): a tool still
 * running when it passes is killed, the import fails and its scratch directory is removed. While a tool runs,
 * the files and bytes in the scratch directory are reported to a {@link ProgressListener} every
 * {@value #SAMPLE_MILLIS} ms (less often when counting takes long).
 *
 * <p>Size: over 300 lines because an import is one transaction (scratch, tool, deadline, check, swap) whose
 * steps share the same cleanup; split, each part would need the others' state.
 */
public final class OsTrees {
    private static final Logger log = LoggerFactory.getLogger(OsTrees.class);
    static final long SAMPLE_MILLIS = 250;
    private static final int TAIL_CHARS = 2000;

    /** What an import produced. */
    public record Imported(String os, Path tree, long files, long bytes, String tool) {}

    /** One OS that has an install boot environment, and the state of its tree. */
    public record OsInfo(
            String name,
            String family,
            String installEnv,
            Path tree,
            boolean imported,
            Optional<String> kernel,
            Optional<String> initrd,
            List<String> missing) {}

    /** Told how far an import has come: the regular files in place so far and their bytes. */
    @FunctionalInterface
    public interface ProgressListener {
        ProgressListener NONE = (files, bytes) -> {};

        void progress(long files, long bytes);
    }

    private final Path installRoot;
    private final BootEnvironments envs;
    private final Duration timeout;
    /** Where the ISO extractors are looked for: {@code $PATH}, or a directory list given to the constructor. */
    private final String toolPath;

    private final Set<String> importing = ConcurrentHashMap.newKeySet();
    private final AtomicLong timedOut = new AtomicLong();
    /** The tools running now, so {@link #stop} can kill them without interrupting anyone's thread. */
    private final Set<Process> live = ConcurrentHashMap.newKeySet();

    private volatile boolean stopping;

    public OsTrees(Path installRoot, BootEnvironments envs, Duration timeout) {
        this(installRoot, envs, timeout, System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    /** {@code toolPath}: the directories, colon-separated, that {@code xorriso} and {@code bsdtar} are found in. */
    public OsTrees(Path installRoot, BootEnvironments envs, Duration timeout, String toolPath) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the import timeout must be positive: " + timeout);
        }
        this.installRoot = installRoot.toAbsolutePath().normalize();
        this.envs = envs;
        this.timeout = timeout;
        this.toolPath = toolPath;
    }

    /**
     * The file in a tree that says its package index is not signed (written by {@code pxe/debian-mirror.sh}, whose
     * {@code Release} has no signature): answer files for that OS then tell the installer to accept it.
     */
    public static final String UNSIGNED_MARKER = ".anvil-unsigned";

    /** Whether the tree of {@code os} under {@code installRoot} carries {@link #UNSIGNED_MARKER}. */
    public static boolean unsigned(Path installRoot, String os) {
        if (os.isEmpty() || os.contains("/") || os.startsWith(".")) {
            return false;
        }
        return Files.isRegularFile(installRoot.resolve(os).resolve(UNSIGNED_MARKER), LinkOption.NOFOLLOW_LINKS);
    }

    public List<OsInfo> list() {
        return envs.installableOses().stream().sorted().map(this::info).toList();
    }

    public OsInfo info(String os) {
        BootEnvironment env = envs.installerFor(os)
                .orElseThrow(() -> new NotFoundException(
                        "no OS " + os + " (no boot environment " + BootEnvironment.installEnvFor(os) + ")"));
        Path tree = installRoot.resolve(os);
        List<String> missing = missing(env, tree);
        return new OsInfo(
                os,
                env.osFamily().orElse(""),
                env.name(),
                tree,
                Files.isDirectory(tree) && missing.isEmpty(),
                env.kernel(),
                env.initrd(),
                missing);
    }

    /**
     * Ends every import running now and refuses new ones: their tools are killed and each import fails
     * ("anvild is stopping"). The threads running them are not interrupted (an interrupt in the middle of a
     * store write would close the H2 database).
     */
    public void stop() {
        stopping = true;
        live.forEach(OsTrees::kill);
    }

    /** Imports that ran past the timeout and had their tool killed, since this object was made. */
    public long timedOut() {
        return timedOut.get();
    }

    /**
     * What can be checked before an import starts, cheaply: the OS has an install boot environment (404
     * otherwise), the source exists and is an ISO file or a directory, and a directory holds the boot
     * environment's kernel and initrd. Returns the source as an absolute path.
     */
    public Path check(String os, Path source) {
        BootEnvironment env = installer(os);
        Path src = source.toAbsolutePath().normalize();
        if (!Files.exists(src)) {
            throw new InvalidInputException("source", src + " does not exist");
        }
        if (Files.isDirectory(src)) {
            List<String> missing = missing(env, src);
            if (!missing.isEmpty()) {
                throw lacks(src, env, missing);
            }
        } else if (!Files.isRegularFile(src)) {
            throw new InvalidInputException("source", src + " is neither an ISO file nor a directory");
        }
        return src;
    }

    /** Imports {@code source} (an ISO file or a directory) as the tree of {@code os}, replacing any earlier one. */
    public Imported importTree(String os, Path source) {
        return importTree(os, source, UUID.randomUUID().toString(), ProgressListener.NONE);
    }

    /**
     * As {@link #importTree(String, Path)}, in the scratch directory {@code <installRoot>/.import-<os>-<tag>}
     * (which {@link #discard} finds again after a restart), telling {@code progress} how far it has come.
     */
    public Imported importTree(String os, Path source, String tag, ProgressListener progress) {
        BootEnvironment env = installer(os);
        Path src = check(os, source);
        if (!importing.add(os)) {
            throw new ConflictException("os", "an import of " + os + " is already running");
        }
        Path scratch = scratch(os, tag);
        Tools tools = new Tools(scratch, System.nanoTime() + timeout.toNanos(), progress);
        try {
            Files.createDirectories(installRoot);
            Files.createDirectories(scratch);
            String tool;
            if (Files.isDirectory(src)) {
                tool = "cp";
                tools.run(List.of("cp", "-a", "--", src + "/.", scratch.toString()));
            } else {
                tool = extract(src, scratch, tools);
                if ("ubuntu".equals(env.osFamily().orElse(""))) {
                    tools.run(List.of(
                            "cp",
                            "-p",
                            "--",
                            src.toString(),
                            scratch.resolve("install.iso").toString()));
                }
            }
            tools.run(List.of("chmod", "-R", "u+rwX,go+rX", scratch.toString())); // ISO contents arrive read-only
            List<String> missing = missing(env, scratch);
            if (!missing.isEmpty()) {
                throw lacks(src, env, missing);
            }
            long[] count = count(scratch);
            progress.progress(count[0], count[1]);
            Path tree = installRoot.resolve(os);
            Path old = old(os, tag);
            boolean hadTree = Files.exists(tree, LinkOption.NOFOLLOW_LINKS);
            if (hadTree) {
                Files.move(tree, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(scratch, tree, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (hadTree) {
                    Files.move(old, tree, StandardCopyOption.ATOMIC_MOVE); // put the previous tree back
                }
                throw e;
            }
            deleteQuietly(old);
            return new Imported(os, tree, count[0], count[1], tool);
        } catch (IOException e) {
            throw new InvalidInputException(
                    "source", "import of " + os + " from " + src + " failed: " + e.getMessage());
        } finally {
            deleteQuietly(scratch);
            importing.remove(os);
        }
    }

    /**
     * After a restart cut the import {@code tag} of {@code os} off: kills any tool still working in its
     * scratch directory (the daemon's death does not end its children), puts back the previous tree if the
     * import had moved it aside but not yet replaced it, and removes the scratch directory.
     */
    public void discard(String os, String tag) {
        Path scratch = scratch(os, tag);
        Path old = old(os, tag);
        Path tree = installRoot.resolve(os);
        if (!scratch.getParent().equals(installRoot) || !tree.getParent().equals(installRoot)) {
            log.warn("not discarding import {} of {}: not a name under {}", tag, os, installRoot);
            return;
        }
        killToolsIn(scratch);
        if (Files.isDirectory(old, LinkOption.NOFOLLOW_LINKS) && !Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.move(old, tree, StandardCopyOption.ATOMIC_MOVE);
                log.warn("put the previous tree of {} back from {}: the import that replaced it was cut off", os, old);
            } catch (IOException e) {
                log.error("cannot put the previous tree of {} back from {}: {}", os, old, e.toString());
            }
        }
        deleteQuietly(scratch);
        deleteQuietly(old);
    }

    /** The scratch directory of an import. */
    public Path scratch(String os, String tag) {
        return installRoot.resolve(".import-" + os + "-" + tag);
    }

    private Path old(String os, String tag) {
        return installRoot.resolve(".old-" + os + "-" + tag);
    }

    private BootEnvironment installer(String os) {
        return envs.installerFor(os)
                .orElseThrow(() -> new NotFoundException(
                        "no OS " + os + "; the OSes with an install boot environment are " + envs.installableOses()));
    }

    private static InvalidInputException lacks(Path src, BootEnvironment env, List<String> missing) {
        return new InvalidInputException(
                "source",
                src + " does not hold " + String.join(" and ", missing) + " (needed by boot environment " + env.name()
                        + ")");
    }

    private static List<String> missing(BootEnvironment env, Path tree) {
        List<String> out = new ArrayList<>();
        for (Optional<String> f : List.of(env.kernel(), env.initrd())) {
            if (f.isPresent() && !Files.isRegularFile(tree.resolve(f.get()))) {
                out.add(f.get());
            }
        }
        return out;
    }

    /** Extracts the ISO with xorriso (Rock Ridge names, permissions, >4 GiB files) or bsdtar. */
    private String extract(Path iso, Path into, Tools tools) throws IOException {
        Optional<Path> xorriso = which("xorriso");
        if (xorriso.isPresent()) {
            tools.run(List.of(
                    xorriso.get().toString(),
                    "-abort_on",
                    "FAILURE",
                    "-osirrox",
                    "on",
                    "-indev",
                    iso.toString(),
                    "-extract",
                    "/",
                    into.toString()));
            return "xorriso";
        }
        Optional<Path> bsdtar = which("bsdtar");
        if (bsdtar.isPresent()) {
            tools.run(List.of(bsdtar.get().toString(), "-x", "-f", iso.toString(), "-C", into.toString()));
            return "bsdtar";
        }
        throw new IOException("extracting an ISO needs xorriso (Debian package xorriso) or bsdtar "
                + "(libarchive-tools); neither is installed");
    }

    private Optional<Path> which(String tool) {
        for (String d : toolPath.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return Optional.of(Path.of(d, tool).toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** Regular files under {@code dir} and their bytes; what cannot be read is skipped (it is being written). */
    static long[] count(Path dir) throws IOException {
        long[] count = new long[2];
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    count[0]++;
                    count[1] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return count;
    }

    private String describeTimeout() {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    /** Runs one import's tools, one at a time, against its deadline, reporting progress while each runs. */
    private final class Tools {
        private final Path scratch;
        private final long deadline;
        private final ProgressListener progress;
        private long nextSample = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS);
        private boolean progressFailed;

        Tools(Path scratch, long deadline, ProgressListener progress) {
            this.scratch = scratch;
            this.deadline = deadline;
            this.progress = progress;
        }

        void run(List<String> cmd) throws IOException {
            String name = Path.of(cmd.get(0)).getFileName().toString();
            if (System.nanoTime() - deadline >= 0) {
                timedOut.incrementAndGet();
                throw new IOException("the import timeout of " + describeTimeout() + " (install.importTimeoutSeconds) "
                        + "passed before " + name + " could start");
            }
            if (stopping) {
                throw new IOException(name + " was not started: anvild is stopping");
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            live.add(p);
            if (stopping) {
                kill(p); // stop() ran between the check and the start
            }
            Tail tail = new Tail(p.getInputStream(), name);
            try {
                while (true) {
                    long now = System.nanoTime();
                    if (p.waitFor(Math.max(0, Math.min(deadline - now, nextSample - now)), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    now = System.nanoTime();
                    if (now - deadline >= 0) {
                        kill(p);
                        timedOut.incrementAndGet();
                        throw new IOException(name + " ran past the import timeout of " + describeTimeout()
                                + " (install.importTimeoutSeconds) and was killed");
                    }
                    if (now - nextSample >= 0) {
                        sample();
                        long took = System.nanoTime() - now;
                        nextSample =
                                System.nanoTime() + Math.max(TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS), 4 * took);
                    }
                }
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                throw new IOException(name + " was killed: the import was interrupted");
            } finally {
                live.remove(p);
            }
            if (stopping) {
                throw new IOException(name + " was killed: anvild is stopping");
            }
            String out = tail.text();
            if (p.exitValue() != 0) {
                throw new IOException(name + " " + String.join(" ", cmd.subList(1, Math.min(3, cmd.size())))
                        + " exited with " + p.exitValue() + ": " + out.strip());
            }
        }

        private void sample() {
            try {
                long[] c = count(scratch);
                progress.progress(c[0], c[1]);
            } catch (IOException | RuntimeException e) {
                if (!progressFailed) {
                    progressFailed = true; // once per import: the import itself goes on
                    log.warn("cannot report the progress of the import into {}: {}", scratch, e.toString());
                }
            }
        }
    }

    /** Kills a tool (and anything it started) and waits for it to be gone, so its files stop changing. */
    private static void kill(ProcessHandle p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn(
                    "{} (pid {}) did not end within 10 s of SIGKILL",
                    p.info().command().orElse("a tool"),
                    p.pid());
        }
    }

    private static void kill(Process p) {
        kill(p.toHandle());
    }

    /** Every process of ours whose arguments name a path in {@code dir}: the tools of an import cut off. */
    private static void killToolsIn(Path dir) {
        String prefix = dir.toString();
        ProcessHandle.allProcesses()
                .filter(h -> h.info()
                        .arguments()
                        .map(a -> Arrays.stream(a).anyMatch(x -> x.startsWith(prefix)))
                        .orElse(false))
                .forEach(h -> {
                    log.warn(
                            "killing {} (pid {}), still working in {} for an import that was cut off",
                            h.info().command().orElse("?"),
                            h.pid(),
                            dir);
                    kill(h);
                });
    }

    /** The last {@value #TAIL_CHARS} characters a tool printed, read on a thread of its own. */
    private static final class Tail {
        private final StringBuilder text = new StringBuilder();
        private final Thread reader;

        Tail(InputStream in, String tool) {
            reader = new Thread(
                    () -> {
                        byte[] buf = new byte[8192];
                        try (in) {
                            for (int n; (n = in.read(buf)) > 0; ) {
                                synchronized (text) {
                                    text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                                    if (text.length() > 2 * TAIL_CHARS) {
                                        text.delete(0, text.length() - TAIL_CHARS);
                                    }
                                }
                            }
                        } catch (IOException e) {
                            log.debug("output of {} ended: {}", tool, e.toString());
                        }
                    },
                    "anvil-import-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** What the tool printed, once it has ended (its output is then closed). */
        String text() {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (text) {
                return text.length() > TAIL_CHARS ? text.substring(text.length() - TAIL_CHARS) : text.toString();
            }
        }
    }

    /** Removes a directory tree, making its directories writable first (extracted ISO trees arrive read-only). */
    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            delete(dir);
        } catch (IOException e) {
            // Best effort: a leftover scratch directory is harmless and named for what it is, but it takes space.
            log.warn("cannot remove all of {}: {}", dir, e.toString());
        }
    }

    private static void delete(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            if (perms.addAll(Set.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE))) {
                Files.setPosixFilePermissions(p, perms);
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                for (Path c : children) {
                    delete(c);
                }
            }
        }
        Files.delete(p);
    }
}
