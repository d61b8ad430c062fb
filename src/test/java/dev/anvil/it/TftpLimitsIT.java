package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TFTP limits against the real daemon with real clients (tftp-hpa, curl) on loopback: at most
 * {@code maxTransfersPerClient} transfers from one address and {@code maxTransfers} in all, each refusal an
 * ERROR 0 that says why and a counter, while other addresses are still served; a client that stops
 * acknowledging (a tftp-hpa stopped with SIGSTOP mid-transfer) is dropped after the retry budget, counted,
 * and its socket given back.
 */
class TftpLimitsIT {
    static final int PER_CLIENT = 3;
    static final int TOTAL = 4;
    /** timeoutMillis 2000 and 2 retries: a silent client is dropped about 6 s after its last ACK. */
    static final String LIMITS =
            "maxTransfersPerClient: " + PER_CLIENT + ", maxTransfers: " + TOTAL + ", timeoutMillis: 2000, retries: 2";

    /** 5000 random bytes (small.bin); big.bin is 64 MiB, over 100,000 lock-step blocks: seconds to fetch. */
    static byte[] small;

    static Path root;

    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        Random r = new Random(5);
        small = TftpIT.random(r, 5000);
        Files.write(root.resolve("small.bin"), small);
        Files.write(root.resolve("big.bin"), TftpIT.random(r, 64 << 20));
        port = TftpIT.freeUdpPort();
        daemon = TftpIT.startTftp(tmp, root, port, LIMITS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    static JsonNode metrics() throws Exception {
        return daemon.api().get("/api/v1/status").json().at("/services/tftp/metrics");
    }

    static long delta(JsonNode before, JsonNode after, String name) {
        return after.get(name).asLong() - before.get(name).asLong();
    }

    /** tftp-hpa from 127.0.0.1 (lock-step, 512-byte blocks), started, not waited for. */
    static Process hpa(String remote, Path local) throws Exception {
        return new ProcessBuilder(
                        "tftp",
                        "-m",
                        "binary",
                        "127.0.0.1",
                        Integer.toString(port),
                        "-c",
                        "get",
                        remote,
                        local.toString())
                .redirectErrorStream(true)
                .start();
    }

    static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "client did not end: " + out);
        return out;
    }

    /** curl from another loopback address ({@code --interface}): another machine as far as the daemon knows. */
    static Netns.Result curlFrom(String address, String remote, Path local) throws Exception {
        return Netns.exec(
                List.of(
                        "curl",
                        "-sS",
                        "--max-time",
                        "30",
                        "--interface",
                        address,
                        "-o",
                        local.toString(),
                        "tftp://127.0.0.1:" + port + "/" + remote),
                60);
    }

    static void waitFor(String what, java.util.concurrent.Callable<Boolean> done, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.call()) {
            assertTrue(System.nanoTime() < end, what + " within " + seconds + " s; tftp: " + metrics());
            Thread.sleep(50);
        }
    }

    /**
     * The daemon's open UDP sockets: its fds that are sockets whose inode /proc/net/udp lists (TCP connections,
     * e.g. this test's status polls, are not counted).
     */
    static long udpSockets() throws Exception {
        java.util.Set<String> udp = new java.util.HashSet<>();
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                udp.add(line.trim().split("\\s+")[9]);
            }
        }
        long n = 0;
        try (var fds = Files.list(Path.of("/proc/" + daemon.pid() + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (java.io.IOException gone) {
                    continue;
                }
                if (target.startsWith("socket:[") && udp.contains(target.substring(8, target.length() - 1))) {
                    n++;
                }
            }
        }
        return n;
    }

    static void signal(Process p, String sig) throws Exception {
        Netns.Result r = Netns.exec(List.of("kill", "-" + sig, Long.toString(p.pid())), 10);
        assertEquals(0, r.code(), r.output());
    }

    @Test
    void moreThanTheCapFromOneAddressIsRefusedOthersAreServedAndSilentClientsAreDropped() throws Exception {
        // Warm up (classes, buffers): the daemon's UDP sockets are then its listener's alone.
        assertEquals(0, curlFrom("127.0.0.1", "small.bin", tmp.resolve("warm")).code());
        Thread.sleep(300);
        long sockets = udpSockets();
        JsonNode before = metrics();

        // 1. Three tftp-hpa clients from 127.0.0.1 fetch the big file; once all three run, they are stopped
        //    (SIGSTOP): they hold their slots and acknowledge nothing.
        List<Process> held = new ArrayList<>();
        try {
            for (int i = 0; i < PER_CLIENT; i++) {
                held.add(hpa("big.bin", tmp.resolve("held-" + i)));
            }
            waitFor("three transfers running", () -> metrics().get("active").asLong() == PER_CLIENT, 30);
            for (Process p : held) {
                signal(p, "STOP");
            }
            assertEquals(PER_CLIENT, metrics().get("active").asLong(), "none had finished: make big.bin bigger");

            // 2. A fourth from the same address: refused with the reason, counted.
            String out = finish(hpa("small.bin", tmp.resolve("fourth")));
            assertTrue(out.contains("Error code 0") && out.contains("too many transfers from 127.0.0.1"), out);

            // 3. Another address is still served, byte for byte.
            Netns.Result other = curlFrom("127.0.0.2", "small.bin", tmp.resolve("other"));
            assertEquals(0, other.code(), other.output());
            assertArrayEquals(small, Files.readAllBytes(tmp.resolve("other")));

            // 4. The last free slot taken by a raw client from 127.0.0.2 that never acknowledges; then 127.0.0.3
            //    finds the server full. curl is gone once it sent its last ACK, but the server may not have read
            //    that ACK yet: until it has, the other address's transfer still holds the slot (a CI run found
            //    the raw client refused as busy).
            waitFor(
                    "the other address's transfer ended",
                    () -> metrics().get("active").asLong() == PER_CLIENT,
                    10);
            try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
                byte[] rrq = dev.anvil.tftp.codec.TftpCodec.encode(
                        new dev.anvil.tftp.codec.TftpPacket.Request(false, "big.bin", "octet", java.util.Map.of()));
                silent.send(new java.net.DatagramPacket(rrq, rrq.length, new InetSocketAddress("127.0.0.1", port)));
                silent.setSoTimeout(5000);
                java.net.DatagramPacket first = new java.net.DatagramPacket(new byte[600], 600);
                silent.receive(first); // DATA 1, never acknowledged
                assertEquals(3, first.getData()[1], "DATA (opcode 3), not an error: " + metrics());
                assertEquals(TOTAL, metrics().get("active").asLong());
                assertEquals(sockets + TOTAL, udpSockets(), "a socket per transfer");
                Netns.Result full = curlFrom("127.0.0.3", "small.bin", tmp.resolve("full"));
                assertTrue(full.code() != 0, "refused: " + full.output());

                JsonNode refused = metrics();
                assertEquals(1, delta(before, refused, "refusedPerClient"), refused.toString());
                assertEquals(1, delta(before, refused, "refusedBusy"), refused.toString());

                // 5. The four silent transfers are dropped after the retry budget, counted, their sockets closed.
                waitFor(
                        "the silent transfers dropped",
                        () -> metrics().get("active").asLong() == 0,
                        30);
            }
            JsonNode after = metrics();
            assertEquals(TOTAL, delta(before, after, "timedOut"), after.toString());
            assertEquals(0, delta(before, after, "failed"), after.toString());
            assertEquals(1, delta(before, after, "completed"), "only the other address's file");
            waitFor("the daemon's UDP sockets back to " + sockets, () -> udpSockets() == sockets, 10);
        } finally {
            for (Process p : held) {
                p.destroyForcibly();
            }
        }

        // 6. The address's slots are back: it is served again.
        String again = finish(hpa("small.bin", tmp.resolve("again")));
        assertArrayEquals(small, Files.readAllBytes(tmp.resolve("again")), again);
    }

    @Test
    void manyConcurrentClientsFromOneAddressGetTheirShareAndTheRestAreToldWhy() throws Exception {
        waitFor("an idle server", () -> metrics().get("active").asLong() == 0, 30);
        JsonNode before = metrics();
        int n = 10;
        List<Process> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(hpa("big.bin", tmp.resolve("many-" + i)));
        }
        int refused = 0;
        int served = 0;
        long size = Files.size(root.resolve("big.bin"));
        for (int i = 0; i < n; i++) {
            String out = finish(clients.get(i));
            if (out.contains("too many transfers from 127.0.0.1")) {
                refused++;
            } else {
                assertEquals(size, Files.size(tmp.resolve("many-" + i)), "client " + i + ": " + out);
                served++;
            }
            Files.deleteIfExists(tmp.resolve("many-" + i));
        }
        JsonNode after = metrics();
        assertTrue(served >= PER_CLIENT && refused >= 1, served + " served, " + refused + " refused");
        assertEquals(refused, delta(before, after, "refusedPerClient"), after.toString());
        assertEquals(served, delta(before, after, "completed"), after.toString());
    }
}
