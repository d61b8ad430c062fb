package dev.anvil.config;

import dev.anvil.core.boot.ClientArch.Firmware;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The DHCP server.
 *
 * @param listen address and port of the socket (0.0.0.0:67 in production); with {@code interfaces} set, one
 *     socket per interface on this port, bound to the device
 * @param clientPort where non-relayed replies go (68; tests use high ports: port + 1)
 * @param leaseTime lease length for pool addresses and reservations alike
 * @param offerHold how long an OFFER keeps its address from other clients
 * @param bootFiles first-stage boot file (TFTP path) or URL per firmware family; placeholders {@code {server}},
 *     {@code {httpPort}}, {@code {http}} (= http://server:httpPort), {@code {mac}} (dash form)
 * @param ipxeScript what a client already running iPXE gets: the URL of its per-node script
 * @param localBootLoader false: a node whose boot environment is {@code local} gets no boot file, so its firmware
 *     goes on to the next boot device (its disk); true: it gets the loader, whose per-node config boots the disk
 * @param bootServerPort the PXE boot server port (4011) proxyDHCP clients ask for their boot file on; 0: none
 * @param pingCheck if present, a pool address is pinged (ICMP echo) for this long before it is offered, and
 *     skipped (quarantined) if something answers: the classic duplicate-address trap
 * @param authoritative false (RFC 2131 4.3.2, Kea's default): an INIT-REBOOT REQUEST from a client this server has
 *     no record of gets no answer (it may be another server's client); true (dnsmasq's {@code
 *     dhcp-authoritative}, Kea's {@code authoritative}): it is ACKed when the address is one Anvil would give
 *     it, else NAKed, so a client that rebooted after a lost lease file moves on at once
 * @param secureBoot true: every x64 UEFI PXE client gets {@code shimLoader} (the Secure Boot chain: shim, signed
 *     GRUB, signed kernel; it boots with Secure Boot on or off) instead of {@code bootFiles.efi-x64}, and TFTP
 *     serves the OS trees under {@code install/} for GRUB (doc/secure-boot.md)
 * @param shimLoader the shim file (TFTP path) x64 UEFI PXE clients get when {@code secureBoot} is on
 */
public record DhcpConfig(
        boolean enabled,
        HostPort listen,
        List<String> interfaces,
        int clientPort,
        Duration leaseTime,
        Duration offerHold,
        Map<Firmware, String> bootFiles,
        String ipxeScript,
        boolean localBootLoader,
        int bootServerPort,
        java.util.Optional<Duration> pingCheck,
        boolean authoritative,
        boolean secureBoot,
        String shimLoader) {

    public static final String DEFAULT_SHIM_LOADER = "shimx64.efi";

    public DhcpConfig {
        interfaces = List.copyOf(interfaces);
        bootFiles = Map.copyOf(bootFiles);
    }

    /** The loaders the {@link dev.anvil.core.boot.BootPlanner} hands out. */
    public dev.anvil.core.boot.BootLoaders loaders() {
        return new dev.anvil.core.boot.BootLoaders(
                bootFiles,
                ipxeScript,
                localBootLoader,
                secureBoot ? java.util.Optional.of(shimLoader) : java.util.Optional.empty());
    }

    public static final Map<Firmware, String> DEFAULT_BOOT_FILES = Map.of(
            Firmware.BIOS, "undionly.kpxe",
            Firmware.EFI_IA32, "ipxe-ia32.efi",
            Firmware.EFI_X64, "snponly.efi",
            Firmware.EFI_ARM32, "ipxe-arm32.efi",
            Firmware.EFI_ARM64, "grubnetaa64.efi",
            Firmware.HTTP_IA32, "{http}/boot/ipxe-ia32.efi",
            Firmware.HTTP_X64, "{http}/boot/ipxe.efi",
            Firmware.HTTP_ARM32, "{http}/boot/ipxe-arm32.efi",
            Firmware.HTTP_ARM64, "{http}/boot/grubhttpaa64.efi");

    public static final String DEFAULT_IPXE_SCRIPT = "{http}/nodes/{mac}/boot.ipxe";
}
