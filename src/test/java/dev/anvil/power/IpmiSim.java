package dev.anvil.power;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OpenIPMI's BMC simulator ({@code ipmi_sim}, Debian's openipmi) on loopback for the tests, with its own lan.conf
 * and emulator commands in a temporary directory: one admin user with a password, cipher suite 3, and a chassis
 * control program (a shell script keeping {@code power}, {@code boot} and {@code shutdown} in files) so that
 * {@code chassis power on|off|cycle|soft} really change what {@code chassis power status} reports; a soft
 * shutdown request powers off at once, as an OS that obeys ACPI would.
 */
public final class IpmiSim implements AutoCloseable {
    public static final String USER = "anvil";
    public static final String PASSWORD = "s3cret-Pw.19";

    private final Process process;
    private final Path dir;
    private final int port;

    private IpmiSim(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** True when ipmi_sim and ipmitool are installed (the openipmi and ipmitool packages). */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/ipmi_sim")) && Files.isExecutable(Path.of("/usr/bin/ipmitool"));
    }

    /** A free UDP port on loopback (free when asked; the simulator binds it right after). */
    public static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts a simulator in {@code dir} with chassis control; returns once it answers a power status. */
    public static IpmiSim start(Path dir) throws Exception {
        return start(dir, true);
    }

    /** As {@link #start(Path)}; {@code chassisControl} false: a BMC that cannot control power (unsupported). */
    public static IpmiSim start(Path dir, boolean chassisControl) throws Exception {
        Files.createDirectories(dir.resolve("state"));
        Path chassis = dir.resolve("chassis.sh");
        Files.writeString(chassis, """
                #!/bin/sh
                # ipmi_sim's chassis_control program: "get power ..." prints name:value lines, "set power 1 ..." sets
                dir=$(dirname "$0")
                op=$1; shift
                if [ "$op" = get ]; then
                  for n in "$@"; do echo "$n:$(cat "$dir/$n" 2>/dev/null || echo 0)"; done
                else
                  while [ $# -ge 2 ]; do
                    echo "$2" > "$dir/$1"
                    if [ "$1" = shutdown ] && [ "$2" = 1 ]; then echo 0 > "$dir/power"; fi
                    shift 2
                  done
                fi
                """);
        Files.setPosixFilePermissions(chassis, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("sim.emu"), """
                mc_setbmc 0x20
                mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
                sel_enable 0x20 1000 0x0a
                mc_enable 0x20
                """);
        for (int attempt = 0; ; attempt++) {
            int port = freeUdpPort();
            Files.writeString(dir.resolve("lan.conf"), """
                    name "anviltest"
                    set_working_mc 0x20
                      startlan 1
                        addr 127.0.0.1 %d
                        priv_limit admin
                        allowed_auths_callback none md2 md5 straight
                        allowed_auths_user none md2 md5 straight
                        allowed_auths_operator none md2 md5 straight
                        allowed_auths_admin none md2 md5 straight
                        guid a123456789abcdefa123456789abcdef
                      endlan
                    %s
                      user 2 true "%s" "%s" admin 10 none md2 md5 straight
                    """.formatted(
                            port, chassisControl ? "  chassis_control \"" + chassis + "\"" : "", USER, PASSWORD));
            Process p = new ProcessBuilder(List.of(
                            "ipmi_sim",
                            "-c",
                            dir.resolve("lan.conf").toString(),
                            "-f",
                            dir.resolve("sim.emu").toString(),
                            "-s",
                            dir.resolve("state").toString(),
                            "-n"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sim.log").toFile())
                    .start();
            IpmiSim sim = new IpmiSim(p, dir, port);
            if (sim.awaitReady()) {
                return sim;
            }
            sim.close();
            if (attempt == 3) {
                throw new IllegalStateException(
                        "ipmi_sim did not come up: " + Files.readString(dir.resolve("sim.log")));
            }
        }
    }

    private boolean awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            ProcessBuilder pb = new ProcessBuilder(
                            "ipmitool",
                            "-I",
                            "lanplus",
                            "-H",
                            "127.0.0.1",
                            "-p",
                            Integer.toString(port),
                            "-U",
                            USER,
                            "-E",
                            "-C",
                            "3",
                            "-N",
                            "1",
                            "-R",
                            "1",
                            "chassis",
                            "power",
                            "status")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("IPMI_PASSWORD", PASSWORD);
            Process q = pb.start();
            if (q.waitFor(5, TimeUnit.SECONDS) && q.exitValue() == 0) {
                return true;
            }
            q.destroyForcibly();
        }
        return false;
    }

    public int port() {
        return port;
    }

    /** What the chassis control program holds for {@code name} ({@code power}, {@code boot}), as ipmi_sim set it. */
    public String chassis(String name) throws IOException {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Files.readString(f, StandardCharsets.US_ASCII).trim() : "";
    }

    /** Sets what the chassis control program holds for {@code name}, as if ipmi_sim had set it. */
    public void setChassis(String name, String value) throws IOException {
        Files.writeString(dir.resolve(name), value + "\n", StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
