package dev.anvil.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.power.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AES-GCM sealing of BMC passwords under the 0600 key file. */
class SecretBoxTest {
    @TempDir
    Path dir;

    @Test
    void keyFileIsMadeOnFirstUseWithMode0600AndReused() throws Exception {
        SecretBox a = SecretBox.open(dir, new SecureRandom());
        Path key = dir.resolve(SecretBox.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals(64, Files.readString(key).trim().length(), "32 bytes in hex");
        SecretBox b = SecretBox.open(dir, new SecureRandom());
        assertEquals(a.keyId(), b.keyId());
        byte[] sealed = a.seal(new Secret("pw"), "node_bmc:1");
        assertEquals("pw", b.open(sealed, "node_bmc:1").reveal(), "the reopened key opens what the first sealed");
    }

    @Test
    void aKeyFileReadableByOthersRefusesTheStart() throws Exception {
        SecretBox.open(dir, new SecureRandom());
        Path key = dir.resolve(SecretBox.FILE);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> SecretBox.open(dir, new SecureRandom()));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw----r--"));
        assertThrows(IllegalStateException.class, () -> SecretBox.open(dir, new SecureRandom()));
    }

    @Test
    void aKeyFileThatIsNotAKeyIsRefused() throws Exception {
        SecretFiles.write(dir.resolve(SecretBox.FILE), "not-hex\n");
        assertThrows(IllegalStateException.class, () -> SecretBox.open(dir, new SecureRandom()));
    }

    @Test
    void roundTripWithAFreshNonceEachTimeAndNoPlaintextInTheSealedBytes() {
        SecretBox box = SecretBox.open(dir, new SecureRandom());
        Secret s = new Secret("s3cret-Pw.19");
        byte[] one = box.seal(s, "node_bmc:7");
        byte[] two = box.seal(s, "node_bmc:7");
        assertFalse(Arrays.equals(one, two), "a random nonce per value");
        assertEquals(1 + 12 + s.length() + 16, one.length);
        assertEquals("s3cret-Pw.19", box.open(one, "node_bmc:7").reveal());
        assertEquals("s3cret-Pw.19", box.open(two, "node_bmc:7").reveal());
        assertFalse(new String(one, StandardCharsets.ISO_8859_1).contains("s3cret"));
    }

    @Test
    void aTamperedValueOrAnotherNodesValueOrAnotherKeyDoesNotOpen() throws Exception {
        SecretBox box = SecretBox.open(dir, new SecureRandom());
        byte[] sealed = box.seal(new Secret("pw-1234"), "node_bmc:7");
        for (int i = 1; i < sealed.length; i++) {
            byte[] t = sealed.clone();
            t[i] ^= 0x01;
            assertThrows(IllegalStateException.class, () -> box.open(t, "node_bmc:7"), "bit flipped at " + i);
        }
        assertThrows(IllegalStateException.class, () -> box.open(sealed, "node_bmc:8"), "moved to another node");
        assertThrows(IllegalStateException.class, () -> box.open(Arrays.copyOf(sealed, 20), "node_bmc:7"), "cut short");
        byte[] version = sealed.clone();
        version[0] = 2;
        assertThrows(IllegalStateException.class, () -> box.open(version, "node_bmc:7"));
        Path other = Files.createDirectories(dir.resolve("other"));
        SecretBox otherBox = SecretBox.open(other, new SecureRandom());
        assertNotEquals(box.keyId(), otherBox.keyId());
        assertThrows(IllegalStateException.class, () -> otherBox.open(sealed, "node_bmc:7"));
    }
}
