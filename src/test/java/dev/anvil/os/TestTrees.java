package dev.anvil.os;

import dev.anvil.config.ConfigLoader;
import dev.anvil.core.boot.BootEnvironments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Source trees for import tests: a small one that holds an OS's kernel and initrd, and a slow one to copy. */
public final class TestTrees {
    /** The embedded default boot environments (fedora-40: images/pxeboot/vmlinuz and initrd.img). */
    public static final BootEnvironments ENVS =
            new ConfigLoader().embeddedDefault().bootEnvironments();

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

    /**
     * A fake {@code xorriso} in {@code bin} that hangs: it writes {@code partial} (8 bytes) into the directory it
     * was told to extract into (its last argument), starts a child, and both sleep far past any test's timeout.
     * Each run appends the two pids to {@code bin/xorriso.pids}. Returns {@code bin}.
     */
    public static Path hangingExtractor(Path bin) throws IOException {
        Files.createDirectories(bin);
        Path script = bin.resolve("xorriso");
        Files.writeString(
                script,
                "#!/bin/sh\nfor a; do last=\"$a\"; done\necho partial > \"$last/partial\"\n"
                        + "sleep 600 &\necho $$ $! >> \"$0.pids\"\nwait\n");
        if (!script.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + script + " executable");
        }
        return bin;
    }

    /** The pids the hanging extractor in {@code bin} wrote, when it has run. */
    public static List<Long> extractorPids(Path bin) throws IOException {
        Path pids = bin.resolve("xorriso.pids");
        if (!Files.exists(pids)) {
            return List.of();
        }
        return java.util.Arrays.stream(Files.readString(pids).trim().split("\\s+"))
                .filter(x -> !x.isEmpty())
                .map(Long::valueOf)
                .toList();
    }

    /** Whether process {@code pid} is gone (or a zombie), waiting up to 5 s for it. */
    public static boolean gone(long pid) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isEmpty() || !h.get().isAlive() || zombie(pid)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true; // gone meanwhile
        }
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
