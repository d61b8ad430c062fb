package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import dev.anvil.core.boot.ClientArch.Firmware;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The {@code dhcp:} section as written. */
record DhcpDraft(
        Boolean enabled,
        String listen,
        List<String> interfaces,
        Integer clientPort,
        Integer leaseTime,
        Integer offerHold,
        Map<String, String> bootFiles,
        String ipxeScript,
        String localBoot,
        Integer bootServerPort,
        Integer pingCheckMillis,
        Boolean authoritative,
        Boolean secureBoot,
        String shimLoader) {

    static final String DEFAULT_LISTEN = "0.0.0.0:67";

    DhcpConfig validate() {
        List<Violation> v = new ArrayList<>();
        HostPort hp = null;
        try {
            hp = HostPort.parse(listen == null ? DEFAULT_LISTEN : listen);
        } catch (IllegalArgumentException e) {
            v.add(new Violation("listen", e.getMessage()));
        }
        int cport = clientPort != null ? clientPort : hp == null ? 68 : hp.port() + 1;
        if (cport < 1 || cport > 65535) {
            v.add(new Violation("clientPort", cport + " is outside 1..65535"));
        }
        if (leaseTime != null && (leaseTime < 60 || leaseTime > 365 * 86400)) {
            v.add(new Violation("leaseTime", leaseTime + " s is outside 60 s .. 1 year"));
        }
        if (offerHold != null && (offerHold < 1 || offerHold > 600)) {
            v.add(new Violation("offerHold", offerHold + " s is outside 1..600 s"));
        }
        Map<Firmware, String> files = new EnumMap<>(DhcpConfig.DEFAULT_BOOT_FILES);
        if (bootFiles != null) {
            bootFiles.forEach((k, f) -> {
                Firmware fw = null;
                for (Firmware x : Firmware.values()) {
                    if (x.key().equals(k) && x != Firmware.UNKNOWN) {
                        fw = x;
                    }
                }
                if (fw == null) {
                    v.add(new Violation(
                            "bootFiles." + k,
                            "unknown firmware (known: bios, efi-ia32, efi-x64, efi-arm32, "
                                    + "efi-arm64, http-ia32, http-x64, http-arm32, http-arm64)"));
                } else if (f == null || f.isBlank() || f.length() > 127) {
                    v.add(new Violation("bootFiles." + k, "must be a file name or URL of 1 to 127 characters"));
                } else {
                    files.put(fw, f);
                }
            });
        }
        boolean loader = false;
        if (localBoot != null) {
            switch (localBoot) {
                case "none" -> loader = false;
                case "loader" -> loader = true;
                default -> v.add(new Violation("localBoot", "\"" + localBoot + "\" is not none or loader"));
            }
        }
        if (shimLoader != null && (shimLoader.isBlank() || shimLoader.length() > 127 || shimLoader.contains("://"))) {
            v.add(new Violation("shimLoader", "must be a TFTP file name of 1 to 127 characters (not a URL)"));
        }
        if (pingCheckMillis != null && (pingCheckMillis < 0 || pingCheckMillis > 5000)) {
            v.add(new Violation("pingCheckMillis", pingCheckMillis + " is outside 0..5000 (0 turns the check off)"));
        }
        if (bootServerPort != null && (bootServerPort < 0 || bootServerPort > 65535)) {
            v.add(new Violation("bootServerPort", bootServerPort + " is outside 0..65535"));
        } else if (hp != null && hp.port() == (bootServerPort == null ? 4011 : bootServerPort) && hp.port() != 0) {
            v.add(new Violation(
                    "bootServerPort", hp.port() + " is dhcp.listen's port too (0 turns the boot server off)"));
        }
        if (interfaces != null) {
            for (int i = 0; i < interfaces.size(); i++) {
                String name = interfaces.get(i);
                if (name == null || !name.matches(Drafts.INTERFACE_NAME)) {
                    v.add(new Violation("interfaces[" + i + "]", "\"" + name + "\" is not an interface name"));
                } else if (interfaces.indexOf(name) < i) {
                    v.add(new Violation("interfaces[" + i + "]", "\"" + name + "\" is listed twice"));
                }
            }
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new DhcpConfig(
                enabled == null || enabled,
                hp,
                interfaces == null ? List.of() : interfaces,
                cport,
                Duration.ofSeconds(leaseTime == null ? 3600 : leaseTime),
                Duration.ofSeconds(offerHold == null ? 30 : offerHold),
                files,
                ipxeScript == null ? DhcpConfig.DEFAULT_IPXE_SCRIPT : ipxeScript,
                loader,
                bootServerPort == null ? 4011 : bootServerPort,
                pingCheckMillis == null || pingCheckMillis == 0
                        ? java.util.Optional.empty()
                        : java.util.Optional.of(Duration.ofMillis(pingCheckMillis)),
                authoritative != null && authoritative,
                secureBoot != null && secureBoot,
                shimLoader == null ? DhcpConfig.DEFAULT_SHIM_LOADER : shimLoader);
    }
}
