package dev.anvil.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A URL prefix (such as {@code /install/}) served from a directory, with strict confinement: the decoded
 * path may not contain NUL, backslashes, {@code .} or {@code ..} segments, and the file it names, after
 * every symlink is followed, must still lie inside the directory. Nothing outside the root is ever opened.
 *
 * <p>The real path of a file's directory is looked up once and kept for {@link #DIRECTORY_CACHE_NANOS} (a few
 * hundred entries at most): resolving every component of it on each request was seven {@code readlink} calls per
 * file in the install-tree benchmark, a fifth of the time a 4 KiB answer took. The file itself is checked on every
 * request (a symlink there is resolved in full). So a directory inside the root that is replaced by a symlink
 * leading out of it is noticed up to one second late, as nginx's {@code open_file_cache_valid} does for what it
 * caches; the tree is the operator's, which no client can change.
 */
public final class FileMount {
    private static final Logger log = LoggerFactory.getLogger(FileMount.class);
    private final String prefix;
    private final Path root;
    private final Optional<dev.anvil.core.boot.GeneratedFiles> generated;
    private final boolean listDirectories;
    /** How long a directory's real path is trusted. */
    static final long DIRECTORY_CACHE_NANOS = 1_000_000_000L;
    /** Directories kept at most; the cache is emptied when it is full. */
    static final int DIRECTORY_CACHE_SIZE = 512;

    /** The root with its symlinks resolved, found once (and again if the root moves). */
    private volatile Path realRoot;
    /** Relative directory ("" for the root) to its real path inside the root, while fresh. */
    private final ConcurrentHashMap<String, RealDirectory> directories = new ConcurrentHashMap<>();

    private final LongSupplier nanoTime;

    private record RealDirectory(Path real, Path realRoot, long until) {}

    /**
     * @param prefix the URL path prefix, starting and ending with {@code /}
     * @param generated files rendered on request where no real file exists (boot configs under {@code /boot/})
     * @param listDirectories whether a directory gets an HTML index (off: 403)
     */
    public FileMount(
            String prefix, Path root, Optional<dev.anvil.core.boot.GeneratedFiles> generated, boolean listDirectories) {
        this(prefix, root, generated, listDirectories, System::nanoTime);
    }

    /** As above, with the clock that ages the directory cache. */
    FileMount(
            String prefix,
            Path root,
            Optional<dev.anvil.core.boot.GeneratedFiles> generated,
            boolean listDirectories,
            LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must start and end with /: " + prefix);
        }
        this.prefix = prefix;
        this.root = root.toAbsolutePath().normalize();
        this.generated = generated;
        this.listDirectories = listDirectories;
    }

    /** A mount without directory listings. */
    public FileMount(String prefix, Path root, Optional<dev.anvil.core.boot.GeneratedFiles> generated) {
        this(prefix, root, generated, false);
    }

    public boolean listDirectories() {
        return listDirectories;
    }

    public String prefix() {
        return prefix;
    }

    public Path root() {
        return root;
    }

    public Optional<dev.anvil.core.boot.GeneratedFiles> generated() {
        return generated;
    }

    /** Whether a (still encoded) request path falls under this mount. */
    public boolean matches(String rawPath) {
        return rawPath.startsWith(prefix) || rawPath.equals(prefix.substring(0, prefix.length() - 1));
    }

    /** What a decoded request path names. */
    public sealed interface Resolution permits Forbidden, NotFound, Directory, RegularFile {}

    /** A path that tries to leave the root, or is not a name Anvil serves. */
    public record Forbidden(String reason) implements Resolution {}

    public record NotFound(String relative) implements Resolution {}

    /** A directory; {@code relative} is the path below the root, "" for the root itself. */
    public record Directory(Path path, String relative) implements Resolution {}

    public record RegularFile(Path path, String relative, BasicFileAttributes attributes) implements Resolution {}

    /** Resolves a decoded path that {@link #matches} this mount. */
    public Resolution resolve(String decodedPath) {
        String rel = decodedPath.length() <= prefix.length() ? "" : decodedPath.substring(prefix.length());
        if (rel.indexOf('\0') >= 0) {
            return new Forbidden("NUL in path");
        }
        if (rel.indexOf('\\') >= 0) {
            return new Forbidden("backslash in path");
        }
        if (rel.length() > 4096) {
            return new Forbidden("path too long");
        }
        StringBuilder clean = new StringBuilder();
        for (String seg : rel.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            if (seg.equals("..") || seg.equals(".")) {
                return new Forbidden("dot segment in path");
            }
            if (seg.length() > 255) {
                return new Forbidden("name too long");
            }
            if (clean.length() > 0) {
                clean.append('/');
            }
            clean.append(seg);
        }
        String relative = clean.toString();
        Path p = relative.isEmpty() ? root : root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            return new Forbidden("outside the root");
        }
        try {
            int slash = relative.lastIndexOf('/');
            String dir = slash < 0 ? "" : relative.substring(0, slash);
            Optional<Path> realDir;
            try {
                realDir = realDirectory(dir);
            } catch (NoSuchFileException e) {
                this.realRoot = null; // the root itself may have gone; look it up again next time
                directories.clear();
                return new NotFound(relative);
            }
            if (realDir.isEmpty()) {
                return new Forbidden("symlink leaves the root");
            }
            Path real = relative.isEmpty() ? realDir.get() : realDir.get().resolve(relative.substring(slash + 1));
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                real = real.toRealPath();
                if (!insideRoot(real)) {
                    return new Forbidden("symlink leaves the root");
                }
                a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            }
            if (a.isDirectory()) {
                return new Directory(real, relative);
            }
            if (!a.isRegularFile()) {
                return new Forbidden("not a regular file");
            }
            return new RegularFile(real, relative, a);
        } catch (NoSuchFileException e) {
            return new NotFound(relative);
        } catch (java.nio.file.AccessDeniedException | SecurityException e) {
            return new Forbidden("not readable");
        } catch (IOException e) {
            // Not a directory on the way, a symlink loop, an I/O error: nothing to serve, but say why.
            log.debug("{}{}: {}", prefix, relative, e.toString());
            return new NotFound(relative);
        }
    }

    /** The real path of {@code dir} (relative to the root), or empty when it leads out of the root. */
    private Optional<Path> realDirectory(String dir) throws IOException {
        long now = nanoTime.getAsLong();
        RealDirectory cached = directories.get(dir);
        if (cached != null && cached.until - now > 0 && cached.realRoot == realRoot) {
            return Optional.of(cached.real);
        }
        Path real = (dir.isEmpty() ? root : root.resolve(dir)).toRealPath();
        if (!insideRoot(real)) {
            return Optional.empty();
        }
        if (directories.size() >= DIRECTORY_CACHE_SIZE) {
            directories.clear();
        }
        directories.put(dir, new RealDirectory(real, realRoot, now + DIRECTORY_CACHE_NANOS));
        return Optional.of(real);
    }

    /** Whether a real path lies inside the root's real path (looked up again if the root itself moved). */
    private boolean insideRoot(Path real) throws IOException {
        Path realRoot = this.realRoot;
        if (realRoot == null) {
            realRoot = root.toRealPath();
            this.realRoot = realRoot;
        }
        if (real.startsWith(realRoot)) {
            return true;
        }
        Path now = root.toRealPath();
        if (now.equals(realRoot) || !real.startsWith(now)) {
            return false;
        }
        this.realRoot = now;
        directories.clear();
        return true;
    }
}
