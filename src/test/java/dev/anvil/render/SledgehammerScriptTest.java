package dev.anvil.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The discovery image's shell, outside the image: the functions of {@code pxe/sledgehammer/lib.sh} run by busybox
 * sh (Debian's busybox-static, the binary the image carries) on what Anvil renders and answers, and the image's
 * scripts through shellcheck (both installed by .ci/run). What needs a network (addresses, duplicate address
 * detection, requests to a real anvild) is {@code dev.anvil.it.SledgehammerLibIT}.
 */
class SledgehammerScriptTest {
    static final Path LIB = Path.of("pxe/sledgehammer/lib.sh").toAbsolutePath();

    @TempDir
    Path tmp;

    /** Runs {@code script} in busybox sh after sourcing lib.sh, with CMDLINE set to a file holding {@code cmdline}. */
    String sh(String cmdline, String script) throws Exception {
        Path c = tmp.resolve("cmdline");
        Files.writeString(c, cmdline + "\n");
        ProcessBuilder pb = new ProcessBuilder(busybox(), "sh", "-c", ". " + LIB + "\n" + script);
        pb.environment().put("CMDLINE", c.toString());
        pb.environment().put("RUNDIR", tmp.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("busybox sh did not finish: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8).strip();
    }

    static String busybox() {
        for (String b : List.of("/bin/busybox", "/usr/bin/busybox")) {
            if (Files.isExecutable(Path.of(b))) {
                return b;
            }
        }
        fail("no busybox: apt-get install busybox-static (.ci/run installs it)");
        return null;
    }

    @Test
    void theKernelLineAnvilRendersForAnIpv6ClientGivesTheAddressAndTheBracketedApi() throws Exception {
        // What BootConfigs renders for a v6 client (BootConfigsTest checks the rendering itself).
        String line = "initrd=initrd console=tty0 console=ttyS0,115200 anvil.api=http://[fd00:0:0:1::1]:8080/api/v1"
                + " anvil.ip6=fd00:0:0:1::99/64 BOOTIF=01-52-54-00-aa-bb-cc";
        assertEquals(
                "fd00:0:0:1::99/64|http://[fd00:0:0:1::1]:8080/api/v1|01-52-54-00-aa-bb-cc|",
                sh(line, "echo \"$(arg anvil.ip6)|$(arg anvil.api)|$(arg BOOTIF)|$(arg anvil.poll)\""));
        assertEquals("yes", sh(line, "ip6ok \"$(arg anvil.ip6)\" && echo yes || echo no"));
        // an IPv4 boot has no anvil.ip6: the image runs DHCPv4 as before
        assertEquals(
                "[]",
                sh(
                        "anvil.api=http://10.10.0.1:8080/api/v1 BOOTIF=01-52-54-00-aa-bb-cc",
                        "echo \"[$(arg anvil.ip6)]\""));
    }

    @Test
    void ip6okTakesAnAddressWithAPrefixLengthOnly() throws Exception {
        String good = "fd00:0:0:1::99/64 FD00:215:0:1:BDE8:63A3:5160:C84A/64 2001:db8::1/128 fd00::1/1";
        String bad =
                "fd00::1 fd00::1/0 fd00::1/129 fd00::1/x 10.10.0.5/24 fd00::1/64/2 /64 fd00::g/64 :/64 fe80::1%eth0/64";
        assertEquals(
                "ok ok ok ok",
                sh("", "for a in " + good + "; do ip6ok \"$a\" && printf 'ok ' || printf 'BAD:%s ' \"$a\"; done"));
        assertEquals(
                "no no no no no no no no no no",
                sh("", "for a in " + bad + "; do ip6ok \"$a\" && printf 'YES:%s ' \"$a\" || printf 'no '; done"));
    }

    @Test
    void theDerivedAddressIsReadFromTheTopLevelOfTheRegistrationReplyOnly() throws Exception {
        // /discover's answer over IPv6 (a node with an address elsewhere shows addresses[].ipv6, nested: not it)
        String reply = "{\"name\":\"d52-54-00-e2-e0-04.cluster.test\",\"macs\":[\"52:54:00:e2:e0:04\"],"
                + "\"addresses\":[{\"network\":\"admin\",\"ipv4\":\"10.0.0.5\",\"ipv6\":\"fd00::5\"}],"
                + "\"state\":\"discovered\",\"hostKeyMismatch\":null,"
                + "\"ipv6\":\"fd00:215:0:1:bde8:63a3:5160:c84a/64\"}";
        Files.writeString(tmp.resolve("reply"), reply);
        assertEquals(
                "fd00:215:0:1:bde8:63a3:5160:c84a/64|d52-54-00-e2-e0-04.cluster.test",
                sh(
                        "",
                        "echo \"$(jfield ipv6 < " + tmp.resolve("reply") + ")|$(jfield name < " + tmp.resolve("reply")
                                + ")\""));
        // over IPv4 there is no top-level ipv6: nothing to take
        Files.writeString(tmp.resolve("v4"), reply.replace(",\"ipv6\":\"fd00:215:0:1:bde8:63a3:5160:c84a/64\"", ""));
        assertEquals("[]", sh("", "echo \"[$(jfield ipv6 < " + tmp.resolve("v4") + ")]\""));
    }

    @Test
    void theBmcLanAddressIsReadFromIpmitoolLanPrint() throws Exception {
        // what ipmitool 1.8.19 printed for `lan print 1` against OpenIPMI's ipmi_sim (its lan_config_program
        // answering the address), CRLF line ends as a serial console may add them
        Path out = Path.of("src/test/resources/power/ipmitool/lan-print.out").toAbsolutePath();
        Path crlf = tmp.resolve("crlf");
        Files.writeString(crlf, Files.readString(out).replace("\n", "\r\n"));
        String want =
                ",\"bmc\":{\"ip\":\"10.215.0.250\",\"mac\":\"52:54:00:e2:e0:fe\",\"ipSource\":\"Static Address\"}";
        assertEquals(want, sh("", "bmc_lan < " + out));
        assertEquals(want, sh("", "bmc_lan < " + crlf));
        // no LAN channel (ipmitool printed only its error): no "bmc" part at all
        assertEquals("[]", sh("", "echo \"[$(echo 'Invalid channel: 1' | bmc_lan)]\""));
    }

    @Test
    void ip6moveToTheSameAddressDoesNothing() throws Exception {
        // no `ip` call is made (none could succeed here without a namespace): same address, nothing to move
        assertEquals("0", sh("", "ip() { echo CALLED; }; ip6move eth0 fd00::1/64 fd00::1/64; echo $?"));
    }

    @Test
    void theImageScriptsAreShellcheckClean() throws Exception {
        List<String> cmd = List.of(
                "shellcheck",
                "--severity=style",
                "pxe/sledgehammer/init",
                "pxe/sledgehammer/lib.sh",
                "pxe/sledgehammer/udhcpc.script",
                "pxe/sledgehammer/build.sh");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("shellcheck not found: apt-get install shellcheck (.ci/run installs it); " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
    }
}
