package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TFTP clients from Debian's packages (tftp-hpa, atftp, curl, busybox tftp) against the real daemon on a
 * loopback high port: files and generated boot configs byte for byte, block-number roll-over, traversal
 * attempts, and 200 concurrent transfers.
 */
class TftpIT {
    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static int port;
    static Path root;
    static byte[] small;
    static byte[] tenMiB;
    static byte[] fortyMiB;
    static byte[] twoMiB;
    static final long MAX_UPLOAD = 36L << 20;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        Random r = new Random(11);
        small = random(r, 5000);
        tenMiB = random(r, 10 << 20);
        fortyMiB = random(r, 40 << 20);
        twoMiB = random(r, 2 << 20);
        Files.write(root.resolve("pxelinux.0"), small);
        Files.write(root.resolve("ten.bin"), tenMiB);
        Files.write(root.resolve("forty.bin"), fortyMiB);
        Files.write(root.resolve("two.bin"), twoMiB);
        Files.writeString(tmp.resolve("secret"), "outside the root");
        port = freeUdpPort();
        daemon = startTftp(
                tmp,
                root,
                port,
                "uploadDirs: [uploads], maxUploadBytes: " + MAX_UPLOAD + ", maxTransfersPerClient: 1000");
    }

    static byte[] random(Random r, int size) {
        byte[] b = new byte[size];
        r.nextBytes(b);
        return b;
    }

    static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    /** The daemon with TFTP alone on 127.0.0.1:{@code port}, serving {@code root}, plus {@code tftp} fields. */
    static DaemonProcess startTftp(Path tmp, Path root, int port, String tftp) throws Exception {
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\n"
                        + "dns: {enabled: false}\n"
                        + "tftp: {listen: \"127.0.0.1:" + port + "\", root: \"" + root + "\", " + tftp + "}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 127.0.0.0/8, staticRange: 127.0.1.10-127.0.1.99, domain: lo.test,\n"
                        + "     serverAddress: 127.0.0.1}\n");
        return DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    static Netns.Result run(String... cmd) throws Exception {
        return Netns.exec(List.of(cmd), 120);
    }

    /** A client's command line for a get or a put between {@code local} and the server's {@code remote}. */
    static List<String> command(String client, boolean put, String local, String remote, String... extra) {
        List<String> cmd = new ArrayList<>();
        String p = Integer.toString(port);
        switch (client) {
            case "hpa" ->
                cmd.addAll(List.of(
                        "tftp",
                        "-m",
                        extra.length > 0 ? extra[0] : "binary",
                        "127.0.0.1",
                        p,
                        "-c",
                        put ? "put" : "get",
                        put ? local : remote,
                        put ? remote : local));
            case "atftp", "busybox" -> {
                cmd.addAll(client.equals("atftp") ? List.of("atftp") : List.of("busybox", "tftp"));
                cmd.addAll(List.of(extra));
                cmd.addAll(List.of(put ? "-p" : "-g", "-r", remote, "-l", local, "127.0.0.1", p));
            }
            case "curl" -> {
                cmd.addAll(List.of("curl", "-sS", "--max-time", "60"));
                cmd.addAll(List.of(extra));
                cmd.addAll(List.of(put ? "-T" : "-o", local, "tftp://127.0.0.1:" + p + "/" + remote));
            }
            default -> throw new IllegalArgumentException(client);
        }
        return cmd;
    }

    static byte[] fetchWith(String client, String file, String... extra) throws Exception {
        Path out = tmp.resolve(client + "-" + file.replace('/', '_'));
        Files.deleteIfExists(out);
        Netns.Result r = run(command(client, false, out.toString(), file, extra).toArray(new String[0]));
        assertEquals(0, r.code(), client + " " + file + ": " + r.output());
        return Files.readAllBytes(out);
    }

    @Test
    void everyClientGetsTheFileByteForByte() throws Exception {
        assertArrayEquals(small, fetchWith("hpa", "pxelinux.0"));
        assertArrayEquals(small, fetchWith("atftp", "pxelinux.0", "--option", "blksize 1468", "--option", "tsize 0"));
        assertArrayEquals(small, fetchWith("curl", "pxelinux.0", "--tftp-blksize", "1468"));
        assertArrayEquals(small, fetchWith("busybox", "pxelinux.0", "-b", "1432"));
        assertArrayEquals(small, fetchWith("curl", "/pxelinux.0"), "a leading slash is the root");
    }

    @Test
    void largeFilesWithBlksizeAndWindowsize() throws Exception {
        assertArrayEquals(
                tenMiB,
                fetchWith(
                        "atftp",
                        "ten.bin",
                        "--option",
                        "blksize 1468",
                        "--option",
                        "windowsize 16",
                        "--option",
                        "tsize 0"));
        assertArrayEquals(tenMiB, fetchWith("curl", "ten.bin", "--tftp-blksize", "1468"));
    }

    @Test
    void plainBlocksRollOverPast65535() throws Exception {
        // 40 MiB in 512-byte blocks is 81,921 blocks: the 16-bit block number wraps once.
        assertArrayEquals(fortyMiB, fetchWith("hpa", "forty.bin"));
    }

    @Test
    void generatedBootConfigsAreTheSameForEveryClient() throws Exception {
        String name = "pxelinux.cfg/01-52-54-00-aa-bb-cc";
        byte[] hpa = fetchWith("hpa", name);
        String cfg = new String(hpa, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(cfg.contains("KERNEL sledgehammer/vmlinuz"), cfg);
        assertArrayEquals(hpa, fetchWith("atftp", name, "--option", "tsize 0", "--option", "blksize 1468"));
        assertArrayEquals(hpa, fetchWith("curl", name));
        assertArrayEquals(hpa, fetchWith("busybox", name));
        assertTrue(new String(fetchWith("curl", "grub/grub.cfg")).contains("linux /sledgehammer/vmlinuz"));
    }

    @Test
    void traversalAttemptsGetErrorsAndNeverTheFile() throws Exception {
        for (String name : List.of(
                "../secret",
                "..%2fsecret",
                "sub/../../secret",
                tmp.resolve("secret").toString(),
                "..\\secret")) {
            Netns.Result r = run(
                    "tftp",
                    "-m",
                    "binary",
                    "127.0.0.1",
                    Integer.toString(port),
                    "-c",
                    "get",
                    name,
                    tmp.resolve("stolen").toString());
            String out = r.output();
            assertTrue(out.contains("Error code 2") || out.contains("Error code 1"), name + ": " + out);
            assertTrue(!Files.exists(tmp.resolve("stolen")) || Files.size(tmp.resolve("stolen")) == 0, name);
        }
        Netns.Result up = run(
                "tftp",
                "-m",
                "binary",
                "127.0.0.1",
                Integer.toString(port),
                "-c",
                "put",
                tmp.resolve("secret").toString(),
                "uploaded");
        assertTrue(up.output().contains("Error code 2"), up.output());
        assertTrue(!Files.exists(root.resolve("uploaded")));
    }

    @Test
    void twoHundredConcurrentTransfersAllComplete() throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of("curl", "-sS", "--max-time", "300", "-Z", "--parallel-max", "200", "--tftp-blksize", "1468"));
        for (int i = 0; i < 200; i++) {
            cmd.addAll(List.of("-o", tmp.resolve("par-" + i).toString(), "tftp://127.0.0.1:" + port + "/two.bin"));
        }
        Netns.Result r = Netns.exec(cmd, 300);
        assertEquals(0, r.code(), r.output());
        String want = sha256(twoMiB);
        for (int i = 0; i < 200; i++) {
            assertEquals(want, sha256(Files.readAllBytes(tmp.resolve("par-" + i))), "transfer " + i);
            Files.delete(tmp.resolve("par-" + i));
        }
        JsonNode tftp = daemon.api().get("/api/v1/status").json().at("/services/tftp");
        assertEquals("running", tftp.get("state").asText());
        assertTrue(tftp.at("/metrics/completed").asLong() >= 200, tftp.toString());
        assertNotEquals(0, tftp.at("/metrics/bytes").asLong());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void aRepeatedRequestFromTheSameClientDoesNotStartASecondTransfer() throws Exception {
        JsonNode before = daemon.api().get("/api/v1/status").json().at("/services/tftp/metrics");
        byte[] rrq = dev.anvil.tftp.codec.TftpCodec.encode(
                new dev.anvil.tftp.codec.TftpPacket.Request(false, "pxelinux.0", "octet", java.util.Map.of()));
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(5000);
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
            s.send(new java.net.DatagramPacket(rrq, rrq.length, server));
            s.send(new java.net.DatagramPacket(rrq, rrq.length, server));
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[600], 600);
            s.receive(in);
            assertEquals(3, in.getData()[1], "DATA");
            byte[] ack = {0, 4, 0, 1};
            // Finish the (ten-block) transfer lock-step, so it ends cleanly.
            int expected = 1;
            while (true) {
                ack[2] = (byte) (expected >> 8);
                ack[3] = (byte) expected;
                s.send(new java.net.DatagramPacket(ack, 4, in.getSocketAddress()));
                if (in.getLength() < 516) {
                    break;
                }
                in = new java.net.DatagramPacket(new byte[600], 600);
                s.receive(in);
                expected++;
            }
        }
        Thread.sleep(200);
        JsonNode after = daemon.api().get("/api/v1/status").json().at("/services/tftp/metrics");
        assertEquals(
                1, after.get("transfers").asLong() - before.get("transfers").asLong(), after.toString());
        assertEquals(
                1,
                after.get("duplicateRequests").asLong()
                        - before.get("duplicateRequests").asLong());
    }

    static Path uploads() {
        return root.resolve("uploads");
    }

    /** Uploads {@code data} as {@code name} with a client; returns the client's exit code and output. */
    static Netns.Result upload(String client, byte[] data, String name, String... extra) throws Exception {
        Path src = tmp.resolve("src-" + client + "-" + name.replace('/', '_'));
        Files.write(src, data);
        return run(command(client, true, src.toString(), name, extra).toArray(new String[0]));
    }

    static void assertUploaded(byte[] want, String client, String name, String... extra) throws Exception {
        Netns.Result r = upload(client, want, name, extra);
        assertEquals(0, r.code(), client + " put " + name + ": " + r.output());
        assertArrayEquals(want, Files.readAllBytes(root.resolve(name.replaceFirst("^/", ""))), client + " " + name);
    }

    static void assertNoLeftovers() throws Exception {
        try (var s = Files.list(uploads())) {
            List<String> hidden = s.map(x -> x.getFileName().toString())
                    .filter(n -> n.startsWith("."))
                    .toList();
            assertEquals(List.of(), hidden, "temporary upload files left behind");
        }
    }

    @Test
    void everyClientUploadsIntoAnUploadDirectory() throws Exception {
        byte[] data = java.util.Arrays.copyOf(tenMiB, 300_000);
        assertUploaded(data, "hpa", "uploads/hpa.bin");
        assertUploaded(
                data,
                "atftp",
                "uploads/atftp.bin",
                "--option",
                "blksize 1468",
                "--option",
                "tsize 300000",
                "--option",
                "windowsize 16");
        assertUploaded(data, "curl", "uploads/curl.bin", "--tftp-blksize", "1468");
        assertUploaded(data, "busybox", "uploads/busybox.bin", "-b", "1432");
        assertUploaded(new byte[0], "curl", "uploads/empty.bin");
        assertUploaded(small, "hpa", "/uploads/slash.bin");
        JsonNode m = daemon.api().get("/api/v1/status").json().at("/services/tftp/metrics");
        assertTrue(m.get("uploadsCompleted").asLong() >= 6, m.toString());
        assertTrue(m.get("uploadBytes").asLong() >= 4 * 300_000, m.toString());
        assertNoLeftovers();
    }

    @Test
    void uploadedBlocksRollOverPast65535() throws Exception {
        // 34 MiB in 512-byte blocks is 69,633 blocks: the 16-bit block number wraps once on the way in.
        assertUploaded(java.util.Arrays.copyOf(fortyMiB, 34 << 20), "hpa", "uploads/big.bin");
    }

    @Test
    void netasciiReadsArriveAsTheFileWas() throws Exception {
        // 200 KB of text whose lines end at every offset modulo 512: CR LFs and CR NULs straddle block edges
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 200_000; i++) {
            b.append("x".repeat(i % 1031)).append(i % 7 == 0 ? "\r" : "").append('\n');
        }
        byte[] text = b.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.write(root.resolve("notes.txt"), text);
        // tftp-hpa in ascii mode turns CR LF back into LF and CR NUL into CR
        assertArrayEquals(text, fetchWith("hpa", "notes.txt", "ascii"));
    }

    @Test
    void netasciiUploadsStoreLocalLineEnds() throws Exception {
        byte[] text = "line one\nline two\r\n\nlast\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Netns.Result r = upload("hpa", text, "uploads/notes.txt", "ascii");
        assertEquals(0, r.code(), r.output());
        // tftp-hpa sends LF as CR LF (and the file's own CR as CR NUL): what arrives is the file as it was
        assertArrayEquals(text, Files.readAllBytes(uploads().resolve("notes.txt")));
    }

    @Test
    void anExistingFileIsNotOverwritten() throws Exception {
        Files.writeString(uploads().resolve("keep.cfg"), "original");
        Netns.Result r = upload("hpa", small, "uploads/keep.cfg");
        assertTrue(r.output().contains("Error code 6"), r.output());
        assertEquals("original", Files.readString(uploads().resolve("keep.cfg")));
    }

    @Test
    void uploadsOutsideTheUploadDirectoriesAreRefused() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(uploads().resolve("out"), outside);
        for (String name : List.of(
                "pxelinux.0",
                "new.bin",
                "uploads/../evil.bin",
                "../evil.bin",
                "uploads/out/evil.bin",
                outside.resolve("evil.bin").toString(),
                "uploads\\..\\evil.bin",
                "pxelinux.cfg/default",
                "uploads")) {
            Netns.Result r = upload("hpa", small, name);
            assertTrue(
                    r.output().contains("Error code 2") || r.output().contains("Error code 1"),
                    name + ": " + r.output());
        }
        assertArrayEquals(small, Files.readAllBytes(root.resolve("pxelinux.0")), "untouched");
        assertTrue(!Files.exists(root.resolve("new.bin")) && !Files.exists(root.resolve("evil.bin")));
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing written through the symlink");
        }
    }

    @Test
    void anUploadOverTheLimitIsRefusedAndLeavesNothing() throws Exception {
        byte[] big = java.util.Arrays.copyOf(fortyMiB, (int) MAX_UPLOAD + 1);
        // curl announces the size (tsize): refused before any data
        Netns.Result r = upload("curl", big, "uploads/toobig-curl.bin", "--tftp-blksize", "1468");
        assertNotEquals(0, r.code(), r.output());
        // atftp without tsize: the transfer is cut at the limit with ERROR 3
        r = upload("atftp", big, "uploads/toobig-atftp.bin", "--option", "blksize 1468");
        assertTrue(r.output().contains("larger than"), r.output());
        assertTrue(!Files.exists(uploads().resolve("toobig-curl.bin")));
        assertTrue(!Files.exists(uploads().resolve("toobig-atftp.bin")));
        assertNoLeftovers();
    }
}
