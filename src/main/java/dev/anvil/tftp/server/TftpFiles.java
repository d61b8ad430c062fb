package dev.anvil.tftp.server;

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
 */
public final class TftpFiles {
  static final int MAX_NAME = 255;

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

  public TftpFiles(Path root, GeneratedFiles generated) {
    this.root = root;
    this.generated = generated;
  }

  public Resolution resolve(String name, Ipv4Address client) {
    if (name.length() > MAX_NAME) {
      return Resolution.error(TftpPacket.Error.FILE_NOT_FOUND, "file name too long");
    }
    if (name.indexOf('\0') >= 0) {
      return Resolution.error(TftpPacket.Error.ACCESS_VIOLATION, "access violation");
    }
    List<String> segs = new ArrayList<>();
    for (String s : name.replace('\\', '/').split("/")) {
      if (s.equals("..")) {
        return Resolution.error(TftpPacket.Error.ACCESS_VIOLATION, "access violation");
      }
      if (!s.isEmpty() && !s.equals(".")) {
        segs.add(s);
      }
    }
    if (segs.isEmpty()) {
      return Resolution.error(TftpPacket.Error.FILE_NOT_FOUND, "file not found");
    }
    String rel = String.join("/", segs);
    Optional<byte[]> gen = generated.render(rel, client);
    if (gen.isPresent()) {
      return Resolution.ok(TftpContent.of(gen.get()));
    }
    try {
      Path realRoot = root.toRealPath();
      Path real = realRoot.resolve(rel).toRealPath();
      if (!real.startsWith(realRoot)) {
        return Resolution.error(TftpPacket.Error.ACCESS_VIOLATION, "access violation");
      }
      BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        return Resolution.error(TftpPacket.Error.FILE_NOT_FOUND, "file not found");
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
