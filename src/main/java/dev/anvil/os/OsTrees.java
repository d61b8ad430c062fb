package dev.anvil.os;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.BootEnvironments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OS install trees under the install root, one directory per OS ({@code <installRoot>/<os>/}, served at
 * {@code /install/<os>/}). Importing takes an ISO image (extracted with {@code xorriso}, or {@code bsdtar}
 * when xorriso is missing) or a directory (copied with {@code cp -a}), lays it out in a scratch directory
 * beside the tree, checks that the kernel and initrd of the OS's install boot environment are in it, and
 * only then swaps it in: a failed import leaves the previous tree untouched. Ubuntu's live installer also
 * needs the ISO itself; it is kept in the tree as {@code install.iso}.
 */
public final class OsTrees {
  private static final Logger log = LoggerFactory.getLogger(OsTrees.class);
  /** What an import produced. */
  public record Imported(String os, Path tree, long files, long bytes, String tool) {}

  /** One OS that has an install boot environment, and the state of its tree. */
  public record OsInfo(String name, String family, String installEnv, Path tree, boolean imported,
      Optional<String> kernel, Optional<String> initrd, List<String> missing) {}

  private final Path installRoot;
  private final BootEnvironments envs;
  private final Set<String> importing = ConcurrentHashMap.newKeySet();

  public OsTrees(Path installRoot, BootEnvironments envs) {
    this.installRoot = installRoot.toAbsolutePath().normalize();
    this.envs = envs;
  }

  public List<OsInfo> list() {
    return envs.installableOses().stream().sorted().map(this::info).toList();
  }

  public OsInfo info(String os) {
    BootEnvironment env = envs.installerFor(os).orElseThrow(() -> new NotFoundException("no OS " + os
        + " (no boot environment " + BootEnvironment.installEnvFor(os) + ")"));
    Path tree = installRoot.resolve(os);
    List<String> missing = missing(env, tree);
    return new OsInfo(os, env.osFamily().orElse(""), env.name(), tree, Files.isDirectory(tree) && missing.isEmpty(),
        env.kernel(), env.initrd(), missing);
  }

  /** Imports {@code source} (an ISO file or a directory) as the tree of {@code os}, replacing any earlier one. */
  public Imported importTree(String os, Path source) {
    BootEnvironment env = envs.installerFor(os).orElseThrow(() -> new NotFoundException("no OS " + os
        + "; the OSes with an install boot environment are " + envs.installableOses()));
    Path src = source.toAbsolutePath().normalize();
    if (!Files.exists(src)) {
      throw new InvalidInputException("source", src + " does not exist");
    }
    if (!importing.add(os)) {
      throw new ConflictException("os", "an import of " + os + " is already running");
    }
    Path scratch = installRoot.resolve(".import-" + os + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(installRoot);
      Files.createDirectories(scratch);
      String tool;
      if (Files.isDirectory(src)) {
        tool = "cp";
        run(List.of("cp", "-a", "--", src + "/.", scratch.toString()));
      } else if (Files.isRegularFile(src)) {
        tool = extract(src, scratch);
        if ("ubuntu".equals(env.osFamily().orElse(""))) {
          Files.copy(src, scratch.resolve("install.iso"), StandardCopyOption.COPY_ATTRIBUTES);
        }
      } else {
        throw new InvalidInputException("source", src + " is neither an ISO file nor a directory");
      }
      run(List.of("chmod", "-R", "u+rwX,go+rX", scratch.toString())); // ISO contents arrive read-only
      List<String> missing = missing(env, scratch);
      if (!missing.isEmpty()) {
        throw new InvalidInputException("source", src + " does not hold " + String.join(" and ", missing)
            + " (needed by boot environment " + env.name() + ")");
      }
      long[] count = new long[2];
      try (Stream<Path> s = Files.walk(scratch)) {
        s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).forEach(p -> {
          count[0]++;
          try {
            count[1] += Files.size(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
      Path tree = installRoot.resolve(os);
      Path old = installRoot.resolve(".old-" + os + "-" + UUID.randomUUID());
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
    } catch (IOException | UncheckedIOException e) {
      throw new InvalidInputException("source", "import of " + os + " from " + src + " failed: " + e.getMessage());
    } finally {
      deleteQuietly(scratch);
      importing.remove(os);
    }
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
  private static String extract(Path iso, Path into) throws IOException {
    if (onPath("xorriso")) {
      run(List.of("xorriso", "-abort_on", "FAILURE", "-osirrox", "on", "-indev", iso.toString(), "-extract", "/",
          into.toString()));
      return "xorriso";
    }
    if (onPath("bsdtar")) {
      run(List.of("bsdtar", "-x", "-f", iso.toString(), "-C", into.toString()));
      return "bsdtar";
    }
    throw new IOException("extracting an ISO needs xorriso (Debian package xorriso) or bsdtar "
        + "(libarchive-tools); neither is installed");
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String d : path.split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static void run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    try {
      if (!p.waitFor(2, TimeUnit.HOURS)) {
        p.destroyForcibly();
        throw new IOException(cmd.get(0) + " did not finish");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(cmd.get(0) + " interrupted");
    }
    if (p.exitValue() != 0) {
      String tail = out.length() > 2000 ? out.substring(out.length() - 2000) : out;
      throw new IOException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + " exited with "
          + p.exitValue() + ": " + tail.strip());
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // Best effort: a leftover scratch directory is harmless and named for what it is, but it takes space.
      log.warn("cannot remove all of {}: {}", dir, e.toString());
    }
  }
}
