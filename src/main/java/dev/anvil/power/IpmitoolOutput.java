package dev.anvil.power;

import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerException.Kind;
import dev.anvil.core.power.PowerState;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ipmitool -v} printed and its exit code, read into a power state or a {@link PowerException} of a
 * clear kind. Pure; tested with outputs captured from ipmitool 1.8.19 against OpenIPMI's ipmi_sim
 * ({@code src/test/resources/power/ipmitool}). ipmitool exits 1 for every failure and says why only in words
 * (with {@code -v}: "RAKP 2 HMAC is invalid" for a wrong password, "Get Auth Capabilities error" when nothing
 * answers), so the words decide the kind.
 *
 * @param exitCode the process's exit code
 * @param stdout what it printed on standard output
 * @param stderr what it printed on standard error
 */
public record IpmitoolOutput(int exitCode, String stdout, String stderr) {
    /** The longest message taken from the tool's output into an error. */
    static final int MAX_MESSAGE = 300;

    /** Lines {@code -v} prints on every call, success or not: never the reason for a failure. */
    private static final List<String> NOISE = List.of(
            "Loading IANA PEN Registry",
            "Running Get VSO Capabilities",
            "Invalid completion code received",
            "Discovered IPMB address",
            "Get HPM.x Capabilities request failed");

    private static final List<String> AUTH = List.of(
            "rakp 2 hmac is invalid",
            "rakp 2 message indicates an error",
            "rakp 4 message has invalid integrity check value",
            "unauthorized name",
            "insufficient privilege level",
            "invalid session id",
            "activate session error");

    private static final List<String> CIPHER = List.of(
            "invalid authentication algorithm",
            "invalid integrity algorithm",
            "invalid confidentiality algorithm",
            "unable to get channel cipher suites",
            "unsupported cipher suite");

    private static final List<String> UNREACHABLE = List.of(
            "address lookup for",
            "could not open socket",
            "get auth capabilities error",
            "error issuing get channel authentication capabilities",
            "no response from remote controller",
            "unable to establish ipmi v2 / rmcp+ session");

    private static final List<String> UNSUPPORTED = List.of(
            "invalid data field in request",
            "invalid command",
            "invalid chassis command",
            "command not supported",
            "parameter not supported");

    /** {@code chassis power status}: the state, or the error. */
    public PowerState status() {
        if (exitCode == 0) {
            for (String line : stdout.lines().toList()) {
                String l = line.trim();
                if (l.equals("Chassis Power is on")) {
                    return PowerState.ON;
                }
                if (l.equals("Chassis Power is off")) {
                    return PowerState.OFF;
                }
            }
        }
        throw error("no power state in ipmitool's answer");
    }

    /** {@code chassis power on|off|soft|cycle}: done, or the error. */
    public void control() {
        if (exitCode == 0 && stdout.lines().anyMatch(l -> l.startsWith("Chassis Power Control: "))) {
            return;
        }
        throw error("ipmitool did not confirm the power control");
    }

    /**
     * {@code chassis bootdev <device>}: done, or the error. A BMC that refuses the boot flags still exits 0 (it
     * prints "Set Chassis Boot Parameter 5 failed"): only "Set Boot Device to" is taken for done.
     */
    public void bootDevice(String device) {
        if (exitCode == 0 && stdout.lines().anyMatch(l -> l.trim().equals("Set Boot Device to " + device))) {
            return;
        }
        throw error("ipmitool did not confirm the boot device " + device);
    }

    /** The failure ipmitool reported, by kind; {@code fallback} when it printed nothing telling. */
    PowerException error(String fallback) {
        List<String> lines = (stderr + "\n" + stdout)
                .lines()
                .map(String::trim)
                .filter(l -> !l.isEmpty())
                .filter(l -> NOISE.stream().noneMatch(l::startsWith))
                .toList();
        Kind kind = Kind.FAILED;
        String reason = null;
        for (var rule : List.of(
                new Rule(Kind.AUTH_FAILED, AUTH),
                new Rule(Kind.UNSUPPORTED, CIPHER),
                new Rule(Kind.UNSUPPORTED, UNSUPPORTED),
                new Rule(Kind.UNREACHABLE, UNREACHABLE))) {
            reason = lines.stream().filter(rule::matches).findFirst().orElse(null);
            if (reason != null) {
                kind = rule.kind;
                break;
            }
        }
        String text = reason != null ? reason : lines.isEmpty() ? fallback : String.join("; ", lines);
        if (text.length() > MAX_MESSAGE) {
            text = text.substring(0, MAX_MESSAGE) + "...";
        }
        return new PowerException(kind, text + " (ipmitool exit " + exitCode + ")");
    }

    private record Rule(Kind kind, List<String> words) {
        boolean matches(String line) {
            String l = line.toLowerCase(Locale.ROOT);
            return words.stream().anyMatch(l::contains);
        }
    }
}
