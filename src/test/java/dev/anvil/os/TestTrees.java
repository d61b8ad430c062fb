package dev.anvil.os;

import dev.anvil.config.ConfigLoader;
import dev.anvil.core.boot.BootEnvironments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Source trees for import tests: a small one that holds an OS's kernel and initrd, and a slow one to copy. */
public final class TestTrees {
  /** The embedded default boot environments (fedora-40: images/pxeboot/vmlinuz and initrd.img). */
  public static final BootEnvironments ENVS = new ConfigLoader().embeddedDefault().bootEnvironments();

  private TestTrees() {}

  /** A directory with what fedora-40's installer needs (2 files, 14 bytes), plus {@code extra} empty files. */
  public static Path fedora(Path dir, int extra) throws IOException {
    Files.createDirectories(dir.resolve("images/pxeboot"));
    Files.writeString(dir.resolve("images/pxeboot/vmlinuz"), "KERNEL-FEDORA");
    Files.writeString(dir.resolve("images/pxeboot/initrd.img"), "I");
    for (int d = 0; d * 500 < extra; d++) {
      Path sub = Files.createDirectories(dir.resolve("Packages").resolve("d" + d));
      for (int f = d * 500; f < Math.min(extra, (d + 1) * 500); f++) {
        Files.createFile(sub.resolve("p" + f + ".rpm"));
      }
    }
    return dir;
  }

  /** The processes of ours whose arguments name a scratch directory under {@code installRoot} (import tools). */
  public static List<ProcessHandle> toolsIn(Path installRoot) {
    String prefix = installRoot.toAbsolutePath().normalize().resolve(".import-").toString();
    return ProcessHandle.allProcesses().filter(h -> h.info().arguments()
        .map(a -> List.of(a).stream().anyMatch(x -> x.startsWith(prefix))).orElse(false)).toList();
  }

  /** What an import left beside the trees: scratch and set-aside directories. */
  public static List<Path> leftovers(Path installRoot) throws IOException {
    if (!Files.isDirectory(installRoot)) {
      return List.of();
    }
    try (var s = Files.list(installRoot)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    }
  }
}
