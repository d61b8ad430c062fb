package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The QEMU end-to-end test (issue 8): runs {@code src/test/e2e/e2e.sh all} against the built distribution
 * (system property {@code anvil.dist}, default {@code target/anvil}). A VM PXE-boots from anvild alone
 * (BIOS: discovery, install, local boot; UEFI: discovery; UEFI with Secure Boot enforced: shim, signed GRUB and
 * the signed discovery kernel, then the same VM refusing an unsigned loader, doc/secure-boot.md; native UEFI HTTP boot
 * with the firmware's PXE off: vendor class HTTPClient, an http:// loader, discovery). UEFI PXE over IPv6 only (E),
 * arm64 UEFI PXE (H) and HTTP boot (I) and the lifecycle through IPMI (G) are long runs outside {@code all} (doc/e2e.md). Exit 77 from the
 * script means it could not run here (not root, no network namespaces, no qemu): the test is then aborted
 * (reported as skipped), loudly.
 */
class QemuE2eIT {
    static final long TIMEOUT_MINUTES = 10;

    @Test
    void vmBootsFromAnvilThroughDiscoveryInstallAndLocalBoot() throws Exception {
        Path dist = Path.of(System.getProperty("anvil.dist", "target/anvil")).toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", "src/test/e2e/e2e.sh", "all").redirectErrorStream(true);
        pb.environment().put("ANVIL_DIST", dist.toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        Deque<String> tail = new ArrayDeque<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            System.out.println("[e2e.sh] " + line);
                            synchronized (tail) {
                                tail.addLast(line);
                                if (tail.size() > 200) {
                                    tail.removeFirst();
                                }
                            }
                        }
                    } catch (java.io.IOException e) {
                        System.out.println("[e2e.sh] output read failed: " + e);
                    }
                },
                "e2e-output");
        reader.start();
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroy(); // SIGTERM: e2e.sh's trap stops qemu, anvild, radvd and deletes the namespace
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            reader.join(5000);
            fail("e2e.sh did not finish within " + TIMEOUT_MINUTES + " minutes:\n" + tail(tail));
        }
        reader.join(10000);
        int code = p.exitValue();
        System.out.printf("[e2e.sh] exit %d after %.1f s%n", code, (System.nanoTime() - t0) / 1e9);
        if (code == 77) {
            Assumptions.abort("QEMU E2E SKIPPED: e2e.sh exit 77 (needs root, ip netns and qemu-system-x86_64). "
                    + "The end-to-end boot test did NOT run:\n" + tail(tail));
        }
        if (code != 0) {
            fail("e2e.sh exited " + code + ":\n" + tail(tail));
        }
    }

    static String tail(Deque<String> lines) {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }
}
