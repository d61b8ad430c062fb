package dev.anvil.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ipmi} driver against OpenIPMI's BMC simulator on loopback ({@link IpmiSim}): power status, on, off,
 * soft off, cycle and the next boot device through Debian's ipmitool, each checked against what the simulator's
 * chassis control program was told (not only against what ipmitool printed); a wrong password, a port where
 * nothing answers, a call that outlives its bound, a BMC without power control, each a clear error kind in
 * bounded time; and a hung BMC that does not hold up another.
 */
class IpmiToolIT {
    @TempDir
    static Path tmp;

    static IpmiSim sim;
    static IpmiTool ipmi;

    @BeforeAll
    static void start() throws Exception {
        if (!IpmiSim.available()) {
            System.err.println(
                    "*** IpmiToolIT SKIPPED: ipmi_sim or ipmitool missing (apt-get install openipmi ipmitool) ***");
            Assumptions.abort("ipmi_sim or ipmitool missing");
        }
        sim = IpmiSim.start(tmp.resolve("sim"));
        ipmi = new IpmiTool("ipmitool", Duration.ofSeconds(10), 1, 2, new PowerSlots(32, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
    }

    static BmcAccess access(int port, String password) {
        return new BmcAccess(
                new Bmc(
                        "ipmi",
                        "127.0.0.1",
                        port,
                        IpmiSim.USER,
                        Privilege.ADMINISTRATOR,
                        3,
                        true,
                        true,
                        Optional.empty(),
                        Optional.empty(),
                        new SecretRef("test", Instant.EPOCH)),
                new Secret(password));
    }

    static BmcAccess good() {
        return access(sim.port(), IpmiSim.PASSWORD);
    }

    static PowerException fails(Kind kind, Executable call) {
        PowerException e = assertThrows(PowerException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        assertFalse(e.getMessage().contains(IpmiSim.PASSWORD), e.getMessage());
        return e;
    }

    @Test
    void powerOnOffSoftAndCycleChangeTheStateTheBmcReports() throws Exception {
        ipmi.off(good(), OffMode.HARD);
        assertEquals(PowerState.OFF, ipmi.status(good()));
        assertEquals("0", sim.chassis("power"));
        ipmi.on(good());
        assertEquals(PowerState.ON, ipmi.status(good()));
        assertEquals("1", sim.chassis("power"));
        ipmi.off(good(), OffMode.SOFT);
        assertEquals("1", sim.chassis("shutdown"), "an ACPI shutdown request, not a power cut");
        assertEquals(PowerState.OFF, ipmi.status(good()));
        ipmi.on(good());
        ipmi.cycle(good());
        // ipmi_sim powers off at once and on again a second later
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ipmi.status(good()) != PowerState.ON && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(PowerState.ON, ipmi.status(good()));
    }

    @Test
    void nextBootPxeOnceThenDisk() throws Exception {
        ipmi.setNextBoot(good(), BootDevice.PXE, true);
        assertEquals("pxe", sim.chassis("boot"));
        ipmi.setNextBoot(good(), BootDevice.DISK, false);
        assertEquals("default", sim.chassis("boot"), "ipmi_sim names the disk's boot flag \"default\"");
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailure() {
        PowerException e = fails(Kind.AUTH_FAILED, () -> ipmi.status(access(sim.port(), "wrong-password")));
        assertTrue(e.getMessage().contains("RAKP 2 HMAC is invalid"), e.getMessage());
    }

    @Test
    void aPortWhereNothingAnswersIsUnreachableWithinTheBound() throws Exception {
        int dead = IpmiSim.freeUdpPort();
        long t0 = System.nanoTime();
        fails(Kind.UNREACHABLE, () -> ipmi.status(access(dead, IpmiSim.PASSWORD)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 8_000, "unreachable after " + ms + " ms");
        System.out.println("unreachable reported after " + ms + " ms");
    }

    @Test
    void aCallThatOutlivesItsBoundIsKilledAndTimedOut() throws Exception {
        IpmiTool slow =
                new IpmiTool("ipmitool", Duration.ofMillis(1500), 1, 30, new PowerSlots(1, Duration.ofSeconds(1)));
        int dead = IpmiSim.freeUdpPort();
        long t0 = System.nanoTime();
        fails(Kind.TIMED_OUT, () -> slow.status(access(dead, IpmiSim.PASSWORD)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 1_400 && ms < 4_000, "timed out after " + ms + " ms");
    }

    @Test
    void aHungBmcHoldsOneSlotAndNeverTheOthers() throws Exception {
        PowerSlots slots = new PowerSlots(2, Duration.ofMillis(300));
        IpmiTool tool = new IpmiTool("ipmitool", Duration.ofSeconds(6), 1, 30, slots);
        int dead = IpmiSim.freeUdpPort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> hung =
                    pool.submit(() -> assertThrows(PowerException.class, () -> tool.status(access(dead, "x"))));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (slots.inUse() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long t0 = System.nanoTime();
            assertEquals(PowerState.class, tool.status(good()).getClass());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3_000, "status beside a hung BMC took " + ms + " ms");
            // both slots held: a third call is refused at once as busy, not queued
            Future<?> hung2 =
                    pool.submit(() -> assertThrows(PowerException.class, () -> tool.status(access(dead, "x"))));
            while (slots.inUse() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            fails(Kind.BUSY, () -> tool.status(good()));
            hung.get();
            hung2.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, slots.inUse());
    }

    @Test
    void aBmcWithoutPowerControlSaysUnsupported() throws Exception {
        try (IpmiSim bare = IpmiSim.start(tmp.resolve("bare"), false)) {
            BmcAccess a = access(bare.port(), IpmiSim.PASSWORD);
            fails(Kind.UNSUPPORTED, () -> ipmi.on(a));
            fails(Kind.UNSUPPORTED, () -> ipmi.setNextBoot(a, BootDevice.PXE, true));
        }
    }

    @Test
    void thePasswordIsNeverOnTheCommandLine() {
        var cmd = ipmi.commandLine(good().bmc(), "chassis", "power", "status");
        assertFalse(String.join(" ", cmd).contains(IpmiSim.PASSWORD), cmd.toString());
        assertTrue(cmd.contains("-E"), "ipmitool reads IPMI_PASSWORD");
    }
}
