package dev.anvil.tftp.server;

import dev.anvil.core.boot.BootClient;
import dev.anvil.core.boot.GeneratedFiles;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.tftp.codec.TftpPacket;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds what a request names: a generated file, else a regular file under the root. The root is a strict
 * jail: ".." segments are refused, a leading "/" means the root (as tftpd-hpa -s), backslashes count as
 * separators (some PXE ROMs send them), NUL bytes and names over 255 bytes are refused, and the real path
 * (all symlinks resolved) must still lie under the root. Files are mapped into memory once and shared by
 * every transfer until they change on disk.
 *
 * <p>Uploads (write requests) are refused everywhere except in the configured upload directories: the name
 * goes through the same checks, its directory (all symlinks resolved) must lie in an upload directory, and
 * a generated file's name is never a target.
 *
 * <p>Mounts put another directory under a top-level folder name, read-only and jailed the same way: with
 * {@code dhcp.secureBoot} on, {@code install/} holds the OS trees (the same files HTTP serves at {@code /install/}),
 * because Debian's signed GRUB reads installers over TFTP only (doc/secure-boot.md).
 */
public final class TftpFiles {
    static final int MAX_NAME = 255;
    /**
     * The largest file served: one mapping (a Java buffer is indexed by int). The protocol itself has no limit
     * here (block numbers roll over), but a boot file of 2 GiB is a mistake, so it gets a clear ERROR 0.
     */
    static final long MAX_FILE = Integer.MAX_VALUE;

    private final Path root;
    private final GeneratedFiles generated;
    private final Map<Path, Mapped> cache = new ConcurrentHashMap<>();

    private record Mapped(long size, long mtime, TftpContent content) {}

    /** A content, or the error to answer. */
    public record Resolution(Optional<TftpContent> content, int errorCode, String error) {
        static Resolution ok(TftpContent c) {
            return new Resolution(Optional.of(c), 0, "");
        }

        static Resolution error(int code, String message) {
            return new Resolution(Optional.empty(), code, message);
        }
    }

    /** Where an upload may go, or the error to answer. */
    public record UploadTarget(Optional<Path> path, int errorCode, String error) {
        static UploadTarget error(int code, String message) {
            return new UploadTarget(Optional.empty(), code, message);
        }
    }

    private final List<Path> uploadDirs;
    private final Map<String, Path> mounts;

    public TftpFiles(Path root, GeneratedFiles generated) {
        this(root, generated, List.of());
    }

    /** {@code uploadDirs}: directories relative to the root where write requests are accepted. */
    public TftpFiles(Path root, GeneratedFiles generated, List<Path> uploadDirs) {
        this(root, generated, uploadDirs, Map.of());
    }

    /** {@code mounts}: top-level folder name ({@code install}) to the directory served read-only under it. */
    public TftpFiles(Path root, GeneratedFiles generated, List<Path> uploadDirs, Map<String, Path> mounts) {
        this.root = root;
        this.generated = generated;
        this.uploadDirs = List.copyOf(uploadDirs);
        this.mounts = Map.copyOf(mounts);
    }

    /**
     * Where a write request for {@code name} may write: a path in an upload directory (whose parent exists),
     * else ERROR 2. Existing targets are the caller's business (overwrite or ERROR 6).
     */
    public UploadTarget resolveUpload(String name, Ipv4Address client) {
        return resolveUpload(name, BootClient.v4(client));
    }

    /** As {@link #resolveUpload(String, Ipv4Address)}, for a client of either family. */
    public UploadTarget resolveUpload(String name, BootClient client) {
        Name n = normalize(name);
        if (!n.ok()) {
            return UploadTarget.error(n.errorCode(), n.error());
        }
        if (uploadDirs.isEmpty()) {
            return UploadTarget.error(TftpPacket.Error.ACCESS_VIOLATION, "uploads are disabled");
        }
        if (mounts.containsKey(n.rel().split("/", 2)[0])) {
            return UploadTarget.error(TftpPacket.Error.ACCESS_VIOLATION, "a mounted folder is read-only");
        }
        if (generated.render(n.rel(), client).isPresent()) {
            return UploadTarget.error(TftpPacket.Error.ACCESS_VIOLATION, "a generated file cannot be uploaded");
        }
        try {
            Path realRoot = root.toRealPath();
            Path wanted = realRoot.resolve(n.rel());
            Path parent = wanted.getParent().toRealPath();
            Path target = parent.resolve(wanted.getFileName());
            for (Path d : uploadDirs) {
                Path dir;
                try {
                    dir = realRoot.resolve(d).toRealPath();
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (dir.startsWith(realRoot) && parent.startsWith(dir) && !target.equals(dir)) {
                    if (Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        return UploadTarget.error(TftpPacket.Error.ACCESS_VIOLATION, "access violation");
                    }
                    return new UploadTarget(Optional.of(target), 0, "");
                }
            }
            return UploadTarget.error(TftpPacket.Error.ACCESS_VIOLATION, "uploads are not allowed there");
        } catch (NoSuchFileException e) {
            return UploadTarget.error(TftpPacket.Error.FILE_NOT_FOUND, "no such directory");
        } catch (IOException | SecurityException e) {
            return UploadTarget.error(TftpPacket.Error.ACCESS_VIOLATION, "access violation");
        }
    }

    /** A request's name as a relative path under the root ("a/b"), or why it is refused. */
    private record Name(String rel, int errorCode, String error) {
        boolean ok() {
            return errorCode < 0;
        }
    }

    /** NUL and ".." are access violations; over-long names and names of nothing (only separators) are not found. */
    private static Name normalize(String name) {
        if (name.length() > MAX_NAME) {
            return new Name("", TftpPacket.Error.FILE_NOT_FOUND, "file name too long");
        }
        if (name.indexOf('\0') >= 0) {
            return new Name("", TftpPacket.Error.ACCESS_VIOLATION, "access violation");
        }
        List<String> segs = new ArrayList<>();
        for (String s : name.replace('\\', '/').split("/")) {
            if (s.equals("..")) {
                return new Name("", TftpPacket.Error.ACCESS_VIOLATION, "access violation");
            }
            if (!s.isEmpty() && !s.equals(".")) {
                segs.add(s);
            }
        }
        if (segs.isEmpty()) {
            return new Name("", TftpPacket.Error.FILE_NOT_FOUND, "file not found");
        }
        return new Name(String.join("/", segs), -1, "");
    }

    public Resolution resolve(String name, Ipv4Address client) {
        return resolve(name, BootClient.v4(client));
    }

    /** The file or generated file {@code name} for {@code client} (generated URLs name the server it reached). */
    public Resolution resolve(String name, BootClient client) {
        Name n = normalize(name);
        if (!n.ok()) {
            return Resolution.error(n.errorCode(), n.error());
        }
        String rel = n.rel();
        Optional<byte[]> gen = generated.render(rel, client);
        if (gen.isPresent()) {
            return Resolution.ok(TftpContent.of(gen.get()));
        }
        String[] top = rel.split("/", 2);
        Path jail = root;
        if (top.length == 2 && mounts.containsKey(top[0])) {
            jail = mounts.get(top[0]);
            rel = top[1];
        }
        try {
            Path realRoot = jail.toRealPath();
            Path real = realRoot.resolve(rel).toRealPath();
            if (!real.startsWith(realRoot)) {
                return Resolution.error(TftpPacket.Error.ACCESS_VIOLATION, "access violation");
            }
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                return Resolution.error(TftpPacket.Error.FILE_NOT_FOUND, "file not found");
            }
            if (a.size() > MAX_FILE) {
                return Resolution.error(
                        TftpPacket.Error.NOT_DEFINED,
                        "file too large for TFTP: " + a.size() + " bytes, at most " + MAX_FILE
                                + " (serve it over HTTP)");
            }
            return Resolution.ok(mapped(real, a));
        } catch (NoSuchFileException e) {
            return Resolution.error(TftpPacket.Error.FILE_NOT_FOUND, "file not found");
        } catch (IOException | SecurityException e) {
            return Resolution.error(TftpPacket.Error.ACCESS_VIOLATION, "access violation");
        }
    }

    /** The shared mapping of a file (re-mapped when its size or time changed), with a reference for the caller. */
    private synchronized TftpContent mapped(Path real, BasicFileAttributes a) throws IOException {
        long mtime = a.lastModifiedTime().toMillis();
        Mapped m = cache.get(real);
        if (m == null || m.size != a.size() || m.mtime != mtime) {
            MappedByteBuffer buf;
            try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
                buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, a.size());
            }
            Mapped fresh = new Mapped(a.size(), mtime, TftpContent.of(Unpooled.wrappedBuffer(buf)));
            Mapped old = cache.put(real, fresh);
            if (old != null) {
                old.content.release();
            }
            m = fresh;
        }
        return m.content.retain();
    }

    /** Releases every cached mapping. */
    public synchronized void close() {
        cache.values().forEach(m -> m.content.release());
        cache.clear();
    }
}
