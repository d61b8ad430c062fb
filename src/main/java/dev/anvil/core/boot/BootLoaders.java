package dev.anvil.core.boot;

import dev.anvil.core.boot.ClientArch.Firmware;
import java.util.Map;

/**
 * The first-stage loaders an operator configured ({@code dhcp.bootFiles}, {@code dhcp.ipxeScript},
 * {@code dhcp.localBootLoader}). Values may hold {@code {http}}, {@code {server}}, {@code {httpPort}} and
 * {@code {mac}} placeholders, which the {@link BootPlanner} fills per client.
 *
 * @param localBootLoader false: a node whose environment boots locally gets no loader at all, so its
 *     firmware goes on to the disk; true: it gets its loader (and its iPXE script boots the disk)
 */
public record BootLoaders(Map<Firmware, String> bootFiles, String ipxeScript, boolean localBootLoader) {
    public BootLoaders {
        bootFiles = Map.copyOf(bootFiles);
    }
}
