package dev.anvil.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anvil.core.power.Bmc;
import dev.anvil.core.power.BmcAccess;
import dev.anvil.core.power.BootDevice;
import dev.anvil.core.power.OffMode;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerException.Kind;
import dev.anvil.core.power.PowerState;
import dev.anvil.core.power.Privilege;
import dev.anvil.core.power.Secret;
import dev.anvil.core.power.SecretRef;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redfish driver against {@link RedfishEmulator} on loopback over real HTTPS: every action with the emulator's
 * state as witness, the boot override spent by the next boot, a wrong password, nothing listening, a BMC that
 * stops mid-answer, reset types the BMC does not allow (said in its AllowableValues, or only by refusing), TLS
 * (the JDK's trust store refuses the self-signed certificate, a pin of it is accepted, another pin refused, a trust
 * store that holds it accepted only under the name it was made for), a hung BMC that does not hold up another; and
 * Debian's {@code redfishtool} as an independent client of the same emulator.
 */
class RedfishDriverIT {
    @TempDir
    Path tmp;

    final List<AutoCloseable> closing = new ArrayList<>();
    RedfishEmulator bmc;
    PowerSlots slots = new PowerSlots(4, Duration.ofSeconds(5));

    @BeforeEach
    void start() throws Exception {
        bmc = emulator("bmc");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    RedfishEmulator emulator(String name) throws Exception {
        RedfishEmulator e = RedfishEmulator.start(tmp.resolve(name));
        closing.add(e);
        return e;
    }

    static Bmc settings(int port, String address, boolean verify, Optional<String> system, Optional<String> pin) {
        return new Bmc(
                "redfish",
                address,
                port,
                RedfishEmulator.USER,
                Privilege.ADMINISTRATOR,
                3,
                verify,
                true,
                system,
                pin,
                new SecretRef("test", Instant.EPOCH));
    }

    /** The emulator's own certificate pinned: how a self-signed BMC is used. */
    BmcAccess pinned(RedfishEmulator e) {
        return new BmcAccess(
                settings(
                        e.port(), "127.0.0.1", true, Optional.empty(), Optional.of(RedfishTls.sha256(e.certificate()))),
                new Secret(RedfishEmulator.PASSWORD));
    }

    Redfish driver(Duration callTimeout) {
        return new Redfish(Duration.ofSeconds(2), callTimeout, slots, RedfishTls.jdk());
    }

    static PowerException fails(Kind kind, Runnable call) {
        PowerException e = assertThrows(PowerException.class, call::run);
        assertEquals(kind, e.kind(), e.getMessage());
        assertFalse(e.getMessage().contains(RedfishEmulator.PASSWORD), e.getMessage());
        return e;
    }

    @Test
    void statusOnSoftOffOnOffCycle() {
        Redfish r = driver(Duration.ofSeconds(10));
        BmcAccess a = pinned(bmc);
        assertEquals(PowerState.OFF, r.status(a));
        r.on(a);
        assertEquals("On", bmc.powerState());
        assertEquals(PowerState.ON, r.status(a));
        r.off(a, OffMode.SOFT);
        assertEquals("Off", bmc.powerState());
        r.on(a);
        r.off(a, OffMode.HARD);
        assertEquals(PowerState.OFF, r.status(a));
        r.on(a);
        r.cycle(a);
        assertEquals(PowerState.ON, r.status(a));
        assertEquals(List.of("On", "GracefulShutdown", "On", "ForceOff", "On", "PowerCycle"), bmc.resets());
        assertEquals(List.of("Hdd", "Hdd", "Hdd", "Hdd"), bmc.boots(), "three power-ons and a cycle");

        // the system named: no discovery through the service root
        int before = bmc.requests();
        BmcAccess named = new BmcAccess(
                settings(
                        bmc.port(),
                        "127.0.0.1",
                        true,
                        Optional.of(RedfishEmulator.SYSTEM),
                        a.bmc().certificateSha256()),
                a.secret());
        assertEquals(PowerState.ON, r.status(named));
        assertEquals(1, bmc.requests() - before, "one GET of the named system");
        BmcAccess wrongSystem = new BmcAccess(
                settings(
                        bmc.port(),
                        "127.0.0.1",
                        true,
                        Optional.of("/redfish/v1/Systems/nope"),
                        a.bmc().certificateSha256()),
                a.secret());
        PowerException e = fails(Kind.FAILED, () -> r.status(wrongSystem));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("ResourceMissingAtURI"), e.getMessage());
    }

    @Test
    void bootOverrideOnceIsSpentByTheNextBoot() {
        Redfish r = driver(Duration.ofSeconds(10));
        BmcAccess a = pinned(bmc);
        r.setNextBoot(a, BootDevice.PXE, true);
        assertEquals("Pxe Once UEFI", bmc.boot());
        r.on(a);
        assertEquals(List.of("Pxe"), bmc.boots());
        assertEquals("Pxe Disabled UEFI", bmc.boot(), "Once is spent");
        r.cycle(a);
        assertEquals(List.of("Pxe", "Hdd"), bmc.boots());

        BmcAccess legacy = new BmcAccess(
                new Bmc(
                        "redfish",
                        "127.0.0.1",
                        bmc.port(),
                        RedfishEmulator.USER,
                        Privilege.ADMINISTRATOR,
                        3,
                        true,
                        false,
                        Optional.empty(),
                        a.bmc().certificateSha256(),
                        new SecretRef("test", Instant.EPOCH)),
                a.secret());
        r.setNextBoot(legacy, BootDevice.DISK, false);
        assertEquals("Hdd Continuous Legacy", bmc.boot());
    }

    @Test
    void aWrongPasswordIsAuthFailed() {
        Redfish r = driver(Duration.ofSeconds(10));
        BmcAccess wrong = new BmcAccess(pinned(bmc).bmc(), new Secret("not-the-password"));
        PowerException e = fails(Kind.AUTH_FAILED, () -> r.status(wrong));
        assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        assertTrue(e.getMessage().contains("user " + RedfishEmulator.USER + " refused"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
        fails(Kind.AUTH_FAILED, () -> r.on(wrong));
        assertEquals(List.of(), bmc.resets());
    }

    @Test
    void nothingListeningIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        BmcAccess nobody = new BmcAccess(
                settings(port, "127.0.0.1", true, Optional.empty(), Optional.empty()),
                new Secret(RedfishEmulator.PASSWORD));
        long t0 = System.nanoTime();
        PowerException e =
                fails(Kind.UNREACHABLE, () -> driver(Duration.ofSeconds(10)).status(nobody));
        assertTrue(e.getMessage().contains("nothing answers at 127.0.0.1:" + port), e.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "refused at once");
    }

    @Test
    void aBmcThatStopsMidAnswerTimesOut() {
        bmc.hang();
        Redfish r = driver(Duration.ofMillis(1500));
        long t0 = System.nanoTime();
        PowerException e = fails(Kind.TIMED_OUT, () -> r.status(pinned(bmc)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 1400 && ms < 4000, ms + " ms");
        assertTrue(e.getMessage().contains("within 1500 ms"), e.getMessage());
        assertEquals(0, slots.inUse(), "the slot is given back");
    }

    @Test
    void resetTypesTheBmcDoesNotAllow() {
        Redfish r = driver(Duration.ofSeconds(10));
        BmcAccess a = pinned(bmc);
        bmc.allow(List.of("On", "ForceOff", "ForceRestart"), true);
        PowerException e = fails(Kind.UNSUPPORTED, () -> r.off(a, OffMode.SOFT));
        assertEquals(
                "the BMC does not allow reset type GracefulShutdown (for soft-off); it allows On, ForceOff, "
                        + "ForceRestart",
                e.getMessage());
        assertEquals(List.of(), bmc.resets(), "nothing posted");
        r.on(a);
        r.cycle(a);
        assertEquals(List.of("On", "ForceRestart"), bmc.resets(), "no PowerCycle: ForceRestart instead");

        // a BMC that lists every type but refuses some: its refusal is the error
        bmc.allow(List.of("On", "ForceOff"), false);
        PowerException refused = fails(Kind.UNSUPPORTED, () -> r.cycle(a));
        assertTrue(refused.getMessage().contains("HTTP 400"), refused.getMessage());
        assertTrue(refused.getMessage().contains("ActionParameterValueNotInList"), refused.getMessage());
    }

    @Test
    void tlsIsVerifiedUnlessPinnedOrTurnedOff() throws Exception {
        Redfish jdk = driver(Duration.ofSeconds(10));
        String sha = RedfishTls.sha256(bmc.certificate());
        Secret pw = new Secret(RedfishEmulator.PASSWORD);
        PowerException untrusted = fails(
                Kind.FAILED,
                () -> jdk.status(new BmcAccess(
                        settings(bmc.port(), "127.0.0.1", true, Optional.empty(), Optional.empty()), pw)));
        assertTrue(
                untrusted.getMessage().contains("TLS with the BMC at 127.0.0.1:" + bmc.port() + " refused"),
                untrusted.getMessage());
        assertTrue(untrusted.getMessage().contains("(sha256 " + sha + ") is not trusted"), untrusted.getMessage());
        assertEquals(0, bmc.requests(), "no request, so no password, sent to an untrusted BMC");

        assertEquals(PowerState.OFF, jdk.status(pinned(bmc)));
        PowerException other = fails(
                Kind.FAILED,
                () -> jdk.status(new BmcAccess(
                        settings(bmc.port(), "127.0.0.1", true, Optional.empty(), Optional.of("00".repeat(32))), pw)));
        assertTrue(
                other.getMessage().contains("is not the pinned one (sha256 " + "00".repeat(32) + ")"),
                other.getMessage());

        // verification off: any certificate (encrypted, not authenticated)
        assertEquals(
                PowerState.OFF,
                jdk.status(new BmcAccess(
                        settings(bmc.port(), "127.0.0.1", false, Optional.empty(), Optional.empty()), pw)));

        // a trust store that holds the certificate: accepted by the address it was made for, not by another name
        Redfish trusting = new Redfish(
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                slots,
                new RedfishTls(Optional.of(bmc.trustStore()), new SecureRandom()));
        assertEquals(
                PowerState.OFF,
                trusting.status(new BmcAccess(
                        settings(bmc.port(), "127.0.0.1", true, Optional.empty(), Optional.empty()), pw)));
        PowerException name = fails(
                Kind.FAILED,
                () -> trusting.status(new BmcAccess(
                        settings(bmc.port(), "localhost", true, Optional.empty(), Optional.empty()), pw)));
        assertTrue(name.getMessage().contains("is not trusted"), name.getMessage());
        assertTrue(name.getMessage().toLowerCase().contains("localhost"), name.getMessage());
    }

    @Test
    void aHungBmcHoldsUpNoOtherNode() throws Exception {
        RedfishEmulator hung = emulator("hung");
        hung.hang();
        Redfish r = driver(Duration.ofSeconds(3));
        CompletableFuture<PowerException> stuck =
                CompletableFuture.supplyAsync(() -> assertThrows(PowerException.class, () -> r.status(pinned(hung))));
        while (hung.requests() < 2) { // the service root is open; the Systems GET hangs
            Thread.sleep(20);
        }
        long t0 = System.nanoTime();
        assertEquals(PowerState.OFF, r.status(pinned(bmc)));
        r.on(pinned(bmc));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "the other BMC answered in " + ms + " ms while one hung");
        assertFalse(stuck.isDone(), "the hung call still waits");
        assertEquals(Kind.TIMED_OUT, stuck.get(10, TimeUnit.SECONDS).kind());
        assertEquals("On", bmc.powerState());
    }

    // --- redfishtool, an independent client ------------------------------------------------------------------

    record Run(int rc, String out) {}

    Run redfishtool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "redfishtool",
                "-r",
                "127.0.0.1:" + bmc.port(),
                "-u",
                RedfishEmulator.USER,
                "-p",
                RedfishEmulator.PASSWORD,
                "-S",
                "Always",
                "-T",
                "10"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "redfishtool", ".out");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("redfishtool hung: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void redfishtoolAndOurDriverSeeTheSameBmc() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/redfishtool")),
                "redfishtool missing (apt-get install redfishtool)");
        Redfish r = driver(Duration.ofSeconds(10));
        BmcAccess a = pinned(bmc);
        ObjectMapper m = new ObjectMapper();

        Run root = redfishtool("root");
        assertEquals(0, root.rc(), root.out());
        assertEquals(
                "/redfish/v1/Systems",
                m.readTree(root.out()).path("Systems").path("@odata.id").asText());

        Run sys = redfishtool("Systems", "-1");
        assertEquals(0, sys.rc(), sys.out());
        JsonNode s = m.readTree(sys.out());
        assertEquals("Off", s.get("PowerState").asText());
        assertEquals(RedfishEmulator.SYSTEM, s.get("@odata.id").asText());

        // redfishtool powers on; our driver sees it
        Run on = redfishtool("Systems", "-1", "reset", "On");
        assertEquals(0, on.rc(), on.out());
        assertEquals(PowerState.ON, r.status(a));

        // our driver sets the boot override; redfishtool reads it
        r.setNextBoot(a, BootDevice.PXE, true);
        JsonNode boot =
                m.readTree(redfishtool("Systems", "-1", "-P", "Boot").out()).get("Boot");
        assertEquals("Pxe", boot.get("BootSourceOverrideTarget").asText(), boot.toString());
        assertEquals("Once", boot.get("BootSourceOverrideEnabled").asText(), boot.toString());
        assertEquals("UEFI", boot.get("BootSourceOverrideMode").asText(), boot.toString());

        // redfishtool's boot override (with the ETag it read), then a reset type the BMC refuses
        Run override = redfishtool("Systems", "-1", "setBootOverride", "Continuous", "Hdd");
        assertEquals(0, override.rc(), override.out());
        assertEquals("Hdd Continuous UEFI", bmc.boot());
        bmc.allow(List.of("On", "ForceOff"), true);
        Run refused = redfishtool("Systems", "-1", "reset", "PowerCycle");
        assertTrue(refused.rc() != 0, refused.out());
        Run off = redfishtool("Systems", "-1", "reset", "ForceOff");
        assertEquals(0, off.rc(), off.out());
        assertEquals(PowerState.OFF, r.status(a));
        assertEquals(List.of("On", "ForceOff"), bmc.resets());
    }
}
