package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MountsTest {
    static final FileMount ROOT = new FileMount("/", Path.of("/srv/www"), Optional.empty());
    static final FileMount BOOT = new FileMount("/boot/", Path.of("/srv/tftp"), Optional.empty());
    static final FileMount EXTRA = new FileMount("/boot/extra/", Path.of("/srv/extra"), Optional.empty());
    static final Mounts MOUNTS = new Mounts(List.of(ROOT, BOOT, EXTRA), Set.of("api", "nodes", "healthz"));

    @Test
    void theLongestPrefixWinsWhateverTheOrder() {
        assertEquals(EXTRA, MOUNTS.find("/boot/extra/a.iso"));
        assertEquals(EXTRA, MOUNTS.find("/boot/extra"));
        assertEquals(BOOT, MOUNTS.find("/boot/ipxe.efi"));
        assertEquals(BOOT, MOUNTS.find("/boot/extras"), "a prefix matches whole segments");
        assertEquals(BOOT, MOUNTS.find("/boot"));
        assertEquals(ROOT, MOUNTS.find("/bootx"));
        assertEquals(ROOT, MOUNTS.find("/"));
        assertEquals(ROOT, MOUNTS.find("/index.html"));
    }

    @Test
    void theRoutesSegmentsNeverReachAMountEvenOneAtTheRoot() {
        assertNull(MOUNTS.find("/nodes/n1/install.cfg"));
        assertNull(MOUNTS.find("/api/v1/discover"));
        assertNull(MOUNTS.find("/healthz"));
        assertNull(MOUNTS.find("/nodes"));
        assertEquals(ROOT, MOUNTS.find("/apis/x"), "only the whole segment is the routes'");
        assertEquals(ROOT, MOUNTS.find("/health"));
    }

    @Test
    void withoutARootMountOtherPathsGoToTheRoutes() {
        Mounts m = new Mounts(List.of(BOOT), Set.of("api"));
        assertNull(m.find("/index.html"));
        assertNull(m.find("/"));
        assertEquals(BOOT, m.find("/boot/x"));
    }

    @Test
    void twoMountsAtOnePrefixAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new Mounts(
                        List.of(BOOT, new FileMount("/boot/", Path.of("/other"), Optional.empty())), Set.of()));
    }
}
