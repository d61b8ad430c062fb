package dev.anvil.fuzz;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.render.BootConfigs;
import dev.anvil.render.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the fuzz tests share (doc/fuzzing.md): the embedded default configuration, the real boot configs
 * (rendered from untrusted file names by TFTP and HTTP alike), and a small served tree with a symlink out.
 */
public final class FuzzFixtures {
    public static final AnvilConfig CFG = new ConfigLoader().embeddedDefault();

    private FuzzFixtures() {}

    public static BootConfigs bootConfigs() {
        return new BootConfigs(
                new Templates(Optional.empty()),
                new NodeDirectory(List.of()),
                new NetworkCatalog(CFG.networks()),
                new BootPlanner(CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080),
                new dev.anvil.core.net.Addressing(0));
    }

    /**
     * A temporary tree: {@code root/} with a few files and a directory, and beside it {@code secret} that a
     * symlink in the root points at (the jail must refuse it). Deleted when the JVM exits.
     */
    public static Path servedTree() {
        try {
            Path base = Files.createTempDirectory("anvil-fuzz");
            Path root = Files.createDirectories(base.resolve("root"));
            Files.writeString(base.resolve("secret"), "outside the root\n");
            Files.writeString(root.resolve("undionly.kpxe"), "x".repeat(3000));
            Files.write(root.resolve("empty"), new byte[0]);
            Files.createDirectories(root.resolve("debian-12/install.amd"));
            Files.writeString(root.resolve("debian-12/install.amd/vmlinuz"), "kernel".repeat(100));
            Files.createSymbolicLink(root.resolve("escape"), base.resolve("secret"));
            Files.createSymbolicLink(root.resolve("up"), base);
            for (Path p : List.of(
                    base.resolve("secret"),
                    root.resolve("undionly.kpxe"),
                    root.resolve("empty"),
                    root.resolve("debian-12/install.amd/vmlinuz"),
                    root.resolve("escape"),
                    root.resolve("up"),
                    root.resolve("debian-12/install.amd"),
                    root.resolve("debian-12"),
                    root,
                    base)) {
                p.toFile().deleteOnExit();
            }
            return root;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
