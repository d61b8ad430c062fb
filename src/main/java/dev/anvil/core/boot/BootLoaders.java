package dev.anvil.core.boot;

import dev.anvil.core.boot.ClientArch.Firmware;
import java.util.Map;
import java.util.Optional;

/**
 * The first-stage loaders an operator configured ({@code dhcp.bootFiles}, {@code dhcp.ipxeScript},
 * {@code dhcp.localBootLoader}, {@code dhcp.secureBoot} with {@code dhcp.shimLoader}). Values may hold
 * {@code {http}}, {@code {server}}, {@code {httpPort}} and {@code {mac}} placeholders, which the {@link
 * BootPlanner} fills per client.
 *
 * @param localBootLoader false: a node whose environment boots locally gets no loader at all, so its
 *     firmware goes on to the disk; true: it gets its loader (and its iPXE script boots the disk)
 * @param shim the Secure Boot first stage (Debian's signed {@code shimx64.efi}) every x64 UEFI PXE client
 *     gets instead of {@code bootFiles.efi-x64}; empty: Secure Boot support off (doc/secure-boot.md)
 */
public record BootLoaders(
        Map<Firmware, String> bootFiles, String ipxeScript, boolean localBootLoader, Optional<String> shim) {
    public BootLoaders {
        bootFiles = Map.copyOf(bootFiles);
    }

    /** Loaders without the Secure Boot chain. */
    public BootLoaders(Map<Firmware, String> bootFiles, String ipxeScript, boolean localBootLoader) {
        this(bootFiles, ipxeScript, localBootLoader, Optional.empty());
    }

    public boolean secureBoot() {
        return shim.isPresent();
    }
}
