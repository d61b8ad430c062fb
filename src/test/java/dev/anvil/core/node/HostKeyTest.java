package dev.anvil.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Host key lines are parsed strictly, and fingerprints are exactly what {@code ssh-keygen -lf} prints. */
class HostKeyTest {
    /** A fixed key and the fingerprint {@code ssh-keygen -lf} (OpenSSH 9.2) printed for it. */
    static final String ED25519 =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJSI8HFfnxvevOcTKxuG9cIEuuTW7bFFPwb7NGQqRYr0 root@vm";

    static final String ED25519_FP = "SHA256:nBSnErBRpudThJAWvIq+HdmvaZYW+Hi0aCIolv9qo1E";

    @TempDir
    Path dir;

    @Test
    void aKnownKeyHasItsKnownFingerprint() {
        HostKey k = HostKey.parse(ED25519);
        assertEquals("ssh-ed25519", k.type());
        assertEquals(ED25519_FP, k.fingerprint());
        assertEquals(ED25519.substring(0, ED25519.lastIndexOf(' ')), k.line(), "the comment is not kept");
        assertTrue(k.matches(k.blob()));
        assertEquals(k, HostKey.parse("  " + k.line() + "\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa:256", "ecdsa:384", "ecdsa:521", "rsa:3072"})
    void fingerprintsMatchSshKeygen(String spec) throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/ssh-keygen")), "ssh-keygen (openssh-client) needed");
        String[] s = spec.split(":");
        Path key = dir.resolve("key_" + spec.replace(':', '_'));
        List<String> gen = s.length == 1
                ? List.of("ssh-keygen", "-q", "-t", s[0], "-N", "", "-f", key.toString())
                : List.of("ssh-keygen", "-q", "-t", s[0], "-b", s[1], "-N", "", "-f", key.toString());
        run(gen);
        String line = Files.readString(dir.resolve(key.getFileName() + ".pub")).strip();
        // "256 SHA256:... comment (ED25519)"
        String expected = run(List.of("ssh-keygen", "-lf", key + ".pub")).split(" ")[1];
        HostKey k = HostKey.parse(line);
        assertEquals(line.split(" ")[0], k.type());
        assertEquals(expected, k.fingerprint(), line);
    }

    @Test
    void badLinesAreRefusedWithTheReason() {
        String blob = ED25519.split(" ")[1];
        assertMessage("unknown key type", () -> HostKey.parse("ssh-dss " + blob));
        assertMessage("unknown key type", () -> HostKey.parse("sk-ssh-ed25519@openssh.com " + blob));
        assertMessage("not an OpenSSH public key line", () -> HostKey.parse("ssh-ed25519"));
        assertMessage("not an OpenSSH public key line", () -> HostKey.parse(""));
        assertMessage("not base64", () -> HostKey.parse("ssh-ed25519 AAAA!!!!"));
        assertMessage("but its data is a ssh-ed25519 key", () -> HostKey.parse("ssh-rsa " + blob));
        String junk = Base64.getEncoder().encodeToString("not a key at all".getBytes(StandardCharsets.US_ASCII));
        assertMessage("not an SSH public key", () -> HostKey.parse("ssh-ed25519 " + junk));
        assertMessage("not an SSH public key", () -> HostKey.parse("ssh-ed25519 AAAA"));
        assertMessage("longer than 16384", () -> HostKey.parse("ssh-rsa " + "A".repeat(HostKey.MAX_LINE)));
    }

    @Test
    void theSummaryNamesTypeAndFingerprint() {
        assertEquals("none", HostKey.summary(List.of()));
        assertEquals("ssh-ed25519 " + ED25519_FP, HostKey.summary(List.of(HostKey.parse(ED25519))));
        assertFalse(HostKey.parse(ED25519).matches(new byte[] {1, 2, 3}));
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(part), "\"" + x.getMessage() + "\" should say " + part);
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd + " timed out");
        assertEquals(0, p.exitValue(), cmd + ": " + out);
        return out;
    }
}
