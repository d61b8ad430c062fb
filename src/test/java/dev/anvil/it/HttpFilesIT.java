package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curl against the install trees and the boot root the real daemon serves. */
class HttpFilesIT {
    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static String base;
    static Path tree;
    static byte[] data;

    @BeforeAll
    static void start() throws Exception {
        Path install = tmp.resolve("install");
        tree = Files.createDirectories(install.resolve("centos-stream-9"));
        data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        Files.createDirectories(tree.resolve("images/pxeboot"));
        Files.write(tree.resolve("images/pxeboot/vmlinuz"), data);
        Files.writeString(tree.resolve(".treeinfo"), "[general]\nname = CentOS Stream 9\n");
        Files.writeString(tmp.resolve("secret.txt"), "TOP SECRET\n");
        Files.createSymbolicLink(tree.resolve("escape"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(tree.resolve("inside"), tree.resolve(".treeinfo"));
        try (RandomAccessFile big = new RandomAccessFile(tree.resolve("big.iso").toFile(), "rw")) {
            big.setLength(1L << 30); // sparse: 1 GiB of zeros that takes no disk
        }
        Path tftp = Files.createDirectories(tmp.resolve("tftp"));
        Files.writeString(tftp.resolve("hello.txt"), "hello from the boot root\n");
        Path site = Files.createDirectories(tmp.resolve("state/site")); // "site": relative to the state directory
        Files.writeString(site.resolve("index.html"), "<h1>cluster docs</h1>\n");
        Files.writeString(site.resolve("healthz"), "a file the routes shadow\n");
        Files.createDirectories(site.resolve("nodes"));
        Files.writeString(site.resolve("nodes/n1"), "a file the routes shadow\n");
        Files.createDirectories(site.resolve("unlisted"));
        Files.writeString(site.resolve("unlisted/a.txt"), "a\n");
        Path images = Files.createDirectories(tmp.resolve("images"));
        Files.writeString(images.resolve("rescue.img"), "rescue image\n");
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "http: {installRoot: \"" + install + "\", mounts: [{prefix: /, dir: site},"
                        + " {prefix: /images, dir: \"" + images + "\", listDirectories: true}]}\n"
                        + "dhcp: {enabled: false}\ndns: {enabled: false}\n"
                        + "tftp: {enabled: false, root: \"" + tftp + "\"}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,\n"
                        + "     serverAddress: 10.10.0.1}\n");
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
        base = daemon.bootBase().toString().replaceAll("/$", "");
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Runs curl with the arguments; returns what it printed (stdout and stderr). */
    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " -> " + out);
        return out;
    }

    /** The status code of a request made with these curl arguments (the URL last). */
    static int status(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-o", "/dev/null", "-w", "%{http_code}"));
        a.addAll(List.of(args));
        return Integer.parseInt(curl(a.toArray(new String[0])).trim());
    }

    static String url(String path) {
        return base + path;
    }

    @Test
    void wholeFileWithValidators() throws Exception {
        String out = curl("-D", "-", url("/install/centos-stream-9/images/pxeboot/vmlinuz"));
        assertTrue(out.startsWith("HTTP/1.1 200 OK"), out.substring(0, 200));
        assertTrue(out.contains("Content-Length: 100000"), out.substring(0, 400));
        assertTrue(out.contains("accept-ranges: bytes") && out.contains("etag: \"") && out.contains("last-modified: "));
        assertTrue(out.endsWith(new String(data, StandardCharsets.ISO_8859_1)));
    }

    @Test
    void headHasTheHeadersAndNoBody() throws Exception {
        String out = curl("-I", url("/install/centos-stream-9/images/pxeboot/vmlinuz"));
        assertTrue(out.startsWith("HTTP/1.1 200 OK") && out.contains("Content-Length: 100000"), out);
        assertFalse(out.contains("abcdef"), out);
    }

    @Test
    void singleRange() throws Exception {
        String out = curl("-D", "-", "-r", "26-51", url("/install/centos-stream-9/images/pxeboot/vmlinuz"));
        assertTrue(out.startsWith("HTTP/1.1 206"), out);
        assertTrue(out.contains("content-range: bytes 26-51/100000") && out.contains("Content-Length: 26"), out);
        assertTrue(out.endsWith("\r\n\r\nabcdefghijklmnopqrstuvwxyz"), out);
        String suffix = curl("-r", "-3", url("/install/centos-stream-9/images/pxeboot/vmlinuz"));
        assertEquals(new String(data, 99_997, 3, StandardCharsets.ISO_8859_1), suffix);
    }

    @Test
    void multipleRangesAreMultipart() throws Exception {
        String out = curl("-D", "-", "-r", "0-1,10-12", url("/install/centos-stream-9/images/pxeboot/vmlinuz"));
        assertTrue(out.startsWith("HTTP/1.1 206"), out);
        assertTrue(out.contains("content-type: multipart/byteranges; boundary="), out);
        assertTrue(out.contains("Content-Range: bytes 0-1/100000\r\n\r\nab\r\n"), out);
        assertTrue(out.contains("Content-Range: bytes 10-12/100000\r\n\r\nklm\r\n--"), out);
        String boundary = out.replaceAll("(?s).*boundary=([0-9a-f]+).*", "$1");
        assertTrue(out.endsWith("--" + boundary + "--\r\n"), out);
    }

    @Test
    void unsatisfiableRangeIs416() throws Exception {
        String out = curl("-D", "-", "-r", "200000-300000", url("/install/centos-stream-9/images/pxeboot/vmlinuz"));
        assertTrue(out.startsWith("HTTP/1.1 416"), out);
        assertTrue(out.contains("content-range: bytes */100000"), out);
    }

    @Test
    void resumeWithCurlContinue() throws Exception {
        Path part = tmp.resolve("partial");
        Files.write(part, java.util.Arrays.copyOf(data, 40_000));
        curl("-C", "-", "-o", part.toString(), url("/install/centos-stream-9/images/pxeboot/vmlinuz"));
        assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(part)));
    }

    @Test
    void conditionalRequestsGet304() throws Exception {
        String head = curl("-I", url("/install/centos-stream-9/.treeinfo"));
        String etag = head.replaceAll("(?s).*etag: (\"[^\"]+\").*", "$1");
        String lastModified = head.replaceAll("(?s).*last-modified: ([^\r\n]+).*", "$1");
        assertEquals(304, status("-H", "If-None-Match: " + etag, url("/install/centos-stream-9/.treeinfo")));
        assertEquals(200, status("-H", "If-None-Match: \"other\"", url("/install/centos-stream-9/.treeinfo")));
        assertEquals(
                304, status("-H", "If-Modified-Since: " + lastModified, url("/install/centos-stream-9/.treeinfo")));
        assertEquals(
                200,
                status(
                        "-H",
                        "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
                        url("/install/centos-stream-9/.treeinfo")));
        // If-Range with a stale validator: the whole file, not the range.
        assertEquals(200, status("-r", "0-3", "-H", "If-Range: \"stale\"", url("/install/centos-stream-9/.treeinfo")));
        assertEquals(206, status("-r", "0-3", "-H", "If-Range: " + etag, url("/install/centos-stream-9/.treeinfo")));
    }

    @Test
    void oneGibSparseFileStreamsWithTheRightLength() throws Exception {
        String out =
                curl("-o", "/dev/null", "-w", "%{http_code} %{size_download}", url("/install/centos-stream-9/big.iso"));
        assertEquals("200 1073741824", out.trim());
    }

    /**
     * GRUB 2.06's http module, as it asked in e2e scenario I (doc/e2e.md), finds the length only under exactly
     * {@code "Content-Length: "}: on a kept-alive connection it otherwise waits about 33 s per file.
     */
    @Test
    void grubsRequestGetsContentLengthSpelledAsGrubMatchesIt() throws Exception {
        java.net.URI u = java.net.URI.create(base);
        try (java.net.Socket sock = new java.net.Socket(u.getHost(), u.getPort())) {
            sock.setSoTimeout(10_000);
            sock.getOutputStream()
                    .write(("GET /boot/hello.txt HTTP/1.1\r\nHost: 0x0a.0xd7.0x00.0x01\r\n"
                                    + "User-Agent: GRUB 2.06-13+deb12u2\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[4096];
            StringBuilder got = new StringBuilder();
            while (!got.toString().endsWith("hello from the boot root\n")) {
                int n = sock.getInputStream().read(buf);
                assertTrue(n > 0, got.toString());
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            String out = got.toString();
            assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
            assertTrue(out.contains("\r\nContent-Length: 25\r\n"), out);
            // a 404 too (GRUB asks for files that may be missing)
            sock.getOutputStream()
                    .write("GET /boot/nope.lst HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            int n = sock.getInputStream().read(buf);
            String miss = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            assertTrue(miss.startsWith("HTTP/1.1 404 ") && miss.contains("\r\nContent-Length: "), miss);
        }
    }

    @Test
    void keepAliveReusesTheConnection() throws Exception {
        String out = curl(
                "-v",
                "-o",
                "/dev/null",
                "-o",
                "/dev/null",
                url("/install/centos-stream-9/.treeinfo"),
                url("/install/centos-stream-9/images/pxeboot/vmlinuz"));
        assertTrue(out.contains("Re-using existing connection") || out.contains("Reusing existing connection"), out);
    }

    @Test
    void traversalWithDotDotIsRefused() throws Exception {
        assertEquals(403, status("--path-as-is", url("/install/centos-stream-9/../../secret.txt")));
    }

    @Test
    void traversalWithEncodedDotsIsRefused() throws Exception {
        assertEquals(403, status("--path-as-is", url("/install/%2e%2e/secret.txt")));
        assertEquals(403, status("--path-as-is", url("/install/centos-stream-9/%2E%2E/%2e%2e/secret.txt")));
    }

    @Test
    void backslashesAreRefused() throws Exception {
        assertEquals(403, status("--path-as-is", url("/install/centos-stream-9/..\\..\\secret.txt")));
        assertEquals(403, status("--path-as-is", url("/install/centos-stream-9/%5c..%5csecret.txt")));
    }

    @Test
    void nulIsRefused() throws Exception {
        assertEquals(403, status(url("/install/centos-stream-9/.treeinfo%00.txt")));
    }

    @Test
    void symlinkLeavingTheRootIsRefusedAndOneInsideIsServed() throws Exception {
        assertEquals(403, status(url("/install/centos-stream-9/escape")));
        assertEquals(200, status(url("/install/centos-stream-9/inside")));
    }

    @Test
    void missingFilesAre404AndDirectoriesAreNotListed() throws Exception {
        assertEquals(404, status(url("/install/centos-stream-9/nothing-here")));
        assertEquals(403, status(url("/install/centos-stream-9/")));
        assertEquals(403, status(url("/install/")));
    }

    @Test
    void onlyGetAndHead() throws Exception {
        String out = curl("-X", "DELETE", "-D", "-", url("/install/centos-stream-9/.treeinfo"));
        assertTrue(out.startsWith("HTTP/1.1 405") && out.contains("allow: GET, HEAD"), out);
    }

    @Test
    void bootRootServesFilesAndGeneratedConfigs() throws Exception {
        assertEquals("hello from the boot root\n", curl(url("/boot/hello.txt")));
        String pxe = curl(url("/boot/pxelinux.cfg/default"));
        assertTrue(pxe.contains("sledgehammer"), pxe);
        assertEquals(404, status(url("/api/v1/status")), "the admin API is not on the boot listener");
        String status = curl(
                daemon.auth()[0], daemon.auth()[1], daemon.uri("/api/v1/status").toString());
        assertTrue(status.contains("\"fileRequests\":"), status);
    }

    @Test
    void operatorMountsServeTheirDirectoriesAndNeverShadowTheRoutes() throws Exception {
        assertEquals("<h1>cluster docs</h1>\n", curl(url("/")), "a directory's index.html, at the root");
        assertEquals("<h1>cluster docs</h1>\n", curl(url("/index.html")));
        assertEquals(
                403, status(url("/unlisted/")), "listings follow http.listDirectories (off) unless the mount says");
        assertEquals("a\n", curl(url("/unlisted/a.txt")));
        assertEquals(404, status(url("/missing.txt")));
        String listing = curl(url("/images/"));
        assertTrue(listing.contains("<a href=\"rescue.img\">rescue.img</a>"), listing);
        assertEquals("rescue image\n", curl(url("/images/rescue.img")));
        assertEquals("hello from the boot root\n", curl(url("/boot/hello.txt")), "the longer built-in prefix wins");
        assertEquals(403, status(url("/install/")), "and so does /install/");
        assertTrue(curl(url("/healthz")).contains("\"status\":\"ok\""), "the routes' own paths stay theirs");
        String node = curl("-w", "%{http_code}", url("/nodes/n1"));
        assertTrue(node.endsWith("404") && !node.contains("shadow"), node);
        assertEquals(404, status(url("/nodes/nobody/install.cfg")));
    }
}
