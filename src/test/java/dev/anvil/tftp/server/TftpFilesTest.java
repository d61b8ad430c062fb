package dev.anvil.tftp.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.tftp.codec.TftpPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TftpFilesTest {
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.5");

    @TempDir
    Path tmp;

    Path root;
    TftpFiles files;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(tmp.resolve("secret"), "outside");
        Files.writeString(root.resolve("pxelinux.0"), "loader");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inner.cfg"), "inner");
        Files.createSymbolicLink(root.resolve("escape"), tmp.resolve("secret"));
        Files.createSymbolicLink(root.resolve("sub/up"), tmp);
        Files.createSymbolicLink(root.resolve("inside"), root.resolve("pxelinux.0"));
        files = new TftpFiles(
                root,
                (path, client) -> path.equals("gen.cfg") ? Optional.of("generated".getBytes()) : Optional.empty());
    }

    byte[] read(String name) {
        TftpFiles.Resolution r = files.resolve(name, CLIENT);
        assertTrue(r.content().isPresent(), name + ": " + r.error());
        byte[] b = r.content().get().bytes();
        r.content().get().release();
        return b;
    }

    int error(String name) {
        TftpFiles.Resolution r = files.resolve(name, CLIENT);
        assertTrue(r.content().isEmpty(), name + " must not be served");
        return r.errorCode();
    }

    @Test
    void servesFilesUnderTheRootAndGeneratedOnes() {
        assertArrayEquals("loader".getBytes(), read("pxelinux.0"));
        assertArrayEquals("loader".getBytes(), read("/pxelinux.0"), "a leading slash means the root");
        assertArrayEquals("inner".getBytes(), read("sub\\inner.cfg"), "backslashes are separators");
        assertArrayEquals("inner".getBytes(), read("sub/./inner.cfg"));
        assertArrayEquals("loader".getBytes(), read("inside"), "a symlink within the root is fine");
        assertArrayEquals("generated".getBytes(), read("gen.cfg"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../secret", "sub/../../secret", "..\\secret", "sub/..", "..", "a/b/../../../secret"})
    void dotDotIsAnAccessViolation(String name) {
        assertEquals(TftpPacket.Error.ACCESS_VIOLATION, error(name));
    }

    @Test
    void symlinksLeavingTheRootAreAccessViolations() {
        assertEquals(TftpPacket.Error.ACCESS_VIOLATION, error("escape"));
        assertEquals(TftpPacket.Error.ACCESS_VIOLATION, error("sub/up/secret"));
    }

    @Test
    void absolutePathsStayInsideTheRoot() {
        assertEquals(TftpPacket.Error.FILE_NOT_FOUND, error("/etc/passwd"));
        assertEquals(
                TftpPacket.Error.FILE_NOT_FOUND, error(tmp.resolve("secret").toString()));
    }

    @Test
    void nulBytesLongNamesDirectoriesAndMissingFiles() {
        assertEquals(TftpPacket.Error.ACCESS_VIOLATION, error("pxelinux.0\0../secret"));
        assertEquals(TftpPacket.Error.FILE_NOT_FOUND, error("a".repeat(300)));
        assertEquals(TftpPacket.Error.FILE_NOT_FOUND, error("sub"));
        assertEquals(TftpPacket.Error.FILE_NOT_FOUND, error("nope"));
        assertEquals(TftpPacket.Error.FILE_NOT_FOUND, error(""));
        assertEquals(TftpPacket.Error.FILE_NOT_FOUND, error("/"));
    }

    @Test
    void aChangedFileIsServedFresh() throws Exception {
        assertArrayEquals("loader".getBytes(), read("pxelinux.0"));
        Files.writeString(root.resolve("pxelinux.0"), "loader v2");
        assertArrayEquals("loader v2".getBytes(), read("pxelinux.0"));
    }

    @Test
    void aFileOverTwoGibibytesGetsAClearErrorNotAnException() throws Exception {
        // Sparse: no disk used. Before the check, mapping it threw IllegalArgumentException out of resolve.
        try (java.io.RandomAccessFile f =
                new java.io.RandomAccessFile(root.resolve("huge.img").toFile(), "rw")) {
            f.setLength(TftpFiles.MAX_FILE + 1);
        }
        TftpFiles.Resolution r = files.resolve("huge.img", CLIENT);
        assertTrue(r.content().isEmpty());
        assertEquals(TftpPacket.Error.NOT_DEFINED, r.errorCode());
        assertTrue(
                r.error().contains("too large") && r.error().contains(Long.toString(TftpFiles.MAX_FILE + 1)),
                r.error());
        try (java.io.RandomAccessFile f =
                new java.io.RandomAccessFile(root.resolve("huge.img").toFile(), "rw")) {
            f.setLength(TftpFiles.MAX_FILE);
        }
        TftpFiles.Resolution atLimit = files.resolve("huge.img", CLIENT);
        assertEquals(TftpFiles.MAX_FILE, atLimit.content().orElseThrow().size(), "the largest file is still served");
        atLimit.content().get().release();
    }

    @Test
    void aMountServesItsDirectoryReadOnlyUnderItsFolderAndStaysJailed() throws Exception {
        Path trees = Files.createDirectories(tmp.resolve("trees/debian-12/install.amd"));
        Files.writeString(trees.resolve("vmlinuz"), "installer kernel");
        Files.createSymbolicLink(trees.resolve("out"), tmp.resolve("secret"));
        Files.createDirectories(root.resolve("install"));
        Files.writeString(root.resolve("install/shadowed"), "root copy");
        Files.createDirectories(root.resolve("up"));
        files = new TftpFiles(
                root,
                (path, client) -> Optional.empty(),
                java.util.List.of(Path.of("up"), Path.of("install")),
                java.util.Map.of("install", tmp.resolve("trees")));
        assertArrayEquals("installer kernel".getBytes(), read("install/debian-12/install.amd/vmlinuz"));
        assertArrayEquals("installer kernel".getBytes(), read("/install/debian-12/install.amd/vmlinuz"));
        assertEquals(TftpPacket.Error.FILE_NOT_FOUND, error("install/shadowed"), "the mount hides the root's folder");
        assertEquals(TftpPacket.Error.ACCESS_VIOLATION, error("install/debian-12/install.amd/out"));
        assertEquals(TftpPacket.Error.ACCESS_VIOLATION, error("install/../secret"));
        assertEquals(TftpPacket.Error.FILE_NOT_FOUND, error("install"), "the folder itself is no file");
        assertArrayEquals("loader".getBytes(), read("pxelinux.0"), "the root is served as before");
        assertEquals(
                TftpPacket.Error.ACCESS_VIOLATION,
                files.resolveUpload("install/debian-12/x", CLIENT).errorCode(),
                "never an upload target, even when listed as an upload directory");
        assertTrue(files.resolveUpload("up/x", CLIENT).path().isPresent());
    }
}
