package dev.anvil.power;

import dev.anvil.core.power.Bmc;
import dev.anvil.core.power.BmcAccess;
import dev.anvil.core.power.BootDevice;
import dev.anvil.core.power.OffMode;
import dev.anvil.core.power.PowerDriver;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerException.Kind;
import dev.anvil.core.power.PowerState;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ipmi} driver: IPMI 2.0 over RMCP+ ({@code -I lanplus}) through Debian's {@code ipmitool}, one process
 * per call. The password goes in the child's environment ({@code -E} reads {@code IPMI_PASSWORD}), never on its
 * command line (which {@code ps} shows every user). Each call runs in a {@link PowerSlots} slot and is killed when
 * it passes {@code callTimeout} ({@link Kind#TIMED_OUT}); within it, ipmitool itself waits {@code
 * sessionTimeout} per attempt and tries {@code retries} times, so an address where nothing answers is reported as
 * {@link Kind#UNREACHABLE} before the kill.
 */
public final class IpmiTool implements PowerDriver {
    private static final Logger log = LoggerFactory.getLogger(IpmiTool.class);
    /** What ipmitool prints with {@code -v} is a few hundred bytes; more than this is cut. */
    private static final int MAX_OUTPUT = 64 * 1024;

    public static final String NAME = "ipmi";

    private final String executable;
    private final Duration callTimeout;
    private final int sessionTimeoutSeconds;
    private final int retries;
    private final PowerSlots slots;

    /**
     * @param executable the ipmitool to run ({@code ipmitool}: from the PATH)
     * @param callTimeout the most one call may take; the process is killed then
     * @param sessionTimeoutSeconds ipmitool's {@code -N}: seconds per attempt
     * @param retries ipmitool's {@code -R}: attempts per request
     */
    public IpmiTool(String executable, Duration callTimeout, int sessionTimeoutSeconds, int retries, PowerSlots slots) {
        this.executable = executable;
        this.callTimeout = callTimeout;
        this.sessionTimeoutSeconds = sessionTimeoutSeconds;
        this.retries = retries;
        this.slots = slots;
    }

    /**
     * ipmitool from the PATH: 20 s per call, 2 s per attempt, 2 attempts. Where nothing answers, ipmitool gives up
     * after about 10 s with these (measured on loopback: 10.06 s; {@code -N 2 -R 3} took 18.08 s, too near the
     * kill), so such a BMC is reported {@code unreachable}, not {@code timed-out}.
     */
    public static IpmiTool standard(PowerSlots slots) {
        return new IpmiTool("ipmitool", Duration.ofSeconds(20), 2, 2, slots);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PowerState status(BmcAccess bmc) {
        return run(bmc, "chassis", "power", "status").status();
    }

    @Override
    public void on(BmcAccess bmc) {
        run(bmc, "chassis", "power", "on").control();
    }

    @Override
    public void off(BmcAccess bmc, OffMode mode) {
        run(bmc, "chassis", "power", mode == OffMode.SOFT ? "soft" : "off").control();
    }

    @Override
    public void cycle(BmcAccess bmc) {
        run(bmc, "chassis", "power", "cycle").control();
    }

    @Override
    public void setNextBoot(BmcAccess bmc, BootDevice device, boolean once) {
        String dev = device == BootDevice.PXE ? "pxe" : "disk";
        List<String> options = new ArrayList<>();
        if (!once) {
            options.add("persistent");
        }
        if (bmc.bmc().uefi()) {
            options.add("efiboot");
        }
        List<String> args = new ArrayList<>(List.of("chassis", "bootdev", dev));
        if (!options.isEmpty()) {
            args.add("options=" + String.join(",", options));
        }
        run(bmc, args.toArray(String[]::new)).bootDevice(dev);
    }

    /** The command line for {@code command} on {@code bmc}: no password in it. */
    List<String> commandLine(Bmc bmc, String... command) {
        List<String> cmd = new ArrayList<>(List.of(
                executable,
                "-I",
                "lanplus",
                "-H",
                bmc.address(),
                "-p",
                Integer.toString(bmc.port()),
                "-U",
                bmc.user(),
                "-E",
                "-L",
                bmc.privilege().name(),
                "-C",
                Integer.toString(bmc.cipherSuite()),
                "-N",
                Integer.toString(sessionTimeoutSeconds),
                "-R",
                Integer.toString(retries),
                "-v"));
        cmd.addAll(List.of(command));
        return cmd;
    }

    private IpmitoolOutput run(BmcAccess access, String... command) {
        return slots.run(() -> execute(access, command));
    }

    private IpmitoolOutput execute(BmcAccess access, String... command) {
        Bmc bmc = access.bmc();
        List<String> cmd = commandLine(bmc, command);
        Path out = null;
        Path err = null;
        Process p = null;
        long t0 = System.nanoTime();
        try {
            out = Files.createTempFile("anvil-ipmitool", ".out");
            err = Files.createTempFile("anvil-ipmitool", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().put("IPMI_PASSWORD", access.secret().reveal());
            p = pb.start();
            if (!p.waitFor(callTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
                throw new PowerException(
                        Kind.TIMED_OUT,
                        "no answer from the BMC at " + bmc.endpoint() + " within " + callTimeout.toMillis()
                                + " ms (ipmitool killed)");
            }
            IpmitoolOutput o = new IpmitoolOutput(p.exitValue(), read(out), read(err));
            log.debug(
                    "ipmitool {} on {}: exit {} in {} ms",
                    String.join(" ", command),
                    bmc.endpoint(),
                    o.exitCode(),
                    (System.nanoTime() - t0) / 1_000_000);
            return o;
        } catch (IOException e) {
            throw new PowerException(Kind.FAILED, "cannot run " + executable + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerException(Kind.FAILED, "interrupted while calling the BMC at " + bmc.endpoint());
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
            delete(out);
            delete(err);
        }
    }

    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
        }
    }

    private static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", file, e.getMessage());
        }
    }
}
