package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileMountTest {
    @TempDir
    Path tmp;

    FileMount mount;

    @BeforeEach
    void tree() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("os/images"));
        Files.writeString(root.resolve("os/images/vmlinuz"), "kernel");
        Files.writeString(tmp.resolve("outside"), "secret");
        Files.createSymbolicLink(root.resolve("os/out"), tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("os/dirout"), tmp);
        Files.createSymbolicLink(root.resolve("os/in"), root.resolve("os/images/vmlinuz"));
        mount = new FileMount("/install/", root, Optional.empty());
    }

    @Test
    void servesFilesAndDirectoriesInside() {
        var f = assertInstanceOf(FileMount.RegularFile.class, mount.resolve("/install/os/images/vmlinuz"));
        assertEquals("os/images/vmlinuz", f.relative());
        assertEquals(6, f.attributes().size());
        assertInstanceOf(FileMount.RegularFile.class, mount.resolve("/install//os///images/vmlinuz"));
        assertInstanceOf(FileMount.RegularFile.class, mount.resolve("/install/os/in"));
        assertInstanceOf(FileMount.Directory.class, mount.resolve("/install/os/"));
        assertInstanceOf(FileMount.Directory.class, mount.resolve("/install/"));
        assertInstanceOf(FileMount.NotFound.class, mount.resolve("/install/os/nothing"));
    }

    @Test
    void neverLeavesTheRoot() {
        for (String p : new String[] {
            "/install/../outside",
            "/install/os/../../outside",
            "/install/./os",
            "/install/os\\..\\..\\outside",
            "/install/os/images/vmlinuz\0.txt",
            "/install/os/out",
            "/install/os/dirout/outside",
            "/install/" + "a".repeat(300)
        }) {
            assertInstanceOf(FileMount.Forbidden.class, mount.resolve(p), p);
        }
        assertTrue(mount.matches("/install/x") && mount.matches("/install") && !mount.matches("/installer"));
    }

    @Test
    void aDirectoryTurnedIntoASymlinkOutIsRefusedOnceItsCachedPathAges() throws Exception {
        long[] now = {0};
        Path root = tmp.resolve("root");
        FileMount m = new FileMount("/install/", root, Optional.empty(), false, () -> now[0]);
        assertInstanceOf(FileMount.RegularFile.class, m.resolve("/install/os/images/vmlinuz"));
        Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(tmp.resolve("elsewhere/vmlinuz"), "not yours");
        Files.move(root.resolve("os/images"), root.resolve("os/moved"));
        Files.createSymbolicLink(root.resolve("os/images"), tmp.resolve("elsewhere"));
        now[0] += FileMount.DIRECTORY_CACHE_NANOS;
        assertInstanceOf(FileMount.Forbidden.class, m.resolve("/install/os/images/vmlinuz"));
        assertInstanceOf(FileMount.RegularFile.class, m.resolve("/install/os/moved/vmlinuz"));
    }

    @Test
    void aFileTurnedIntoASymlinkOutIsRefusedAtOnce() throws Exception {
        long[] now = {0};
        Path root = tmp.resolve("root");
        FileMount m = new FileMount("/install/", root, Optional.empty(), false, () -> now[0]);
        assertInstanceOf(FileMount.RegularFile.class, m.resolve("/install/os/images/vmlinuz"));
        Files.delete(root.resolve("os/images/vmlinuz"));
        Files.createSymbolicLink(root.resolve("os/images/vmlinuz"), tmp.resolve("outside"));
        assertInstanceOf(FileMount.Forbidden.class, m.resolve("/install/os/images/vmlinuz"));
        Files.delete(root.resolve("os/images/vmlinuz"));
        assertInstanceOf(FileMount.NotFound.class, m.resolve("/install/os/images/vmlinuz"));
        assertInstanceOf(FileMount.NotFound.class, m.resolve("/install/nothing/here"));
    }
}
