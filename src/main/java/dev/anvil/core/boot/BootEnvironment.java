package dev.anvil.core.boot;

import dev.anvil.core.node.NodeState;
import java.util.Optional;

/**
 * What a node boots: the discovery image, a local disk, or an OS installer. Kernel and initrd paths are
 * relative to the HTTP/TFTP roots (or the OS install tree for installers); kernel args may hold template
 * placeholders the renderer fills per node.
 */
public record BootEnvironment(
        String name,
        String description,
        Optional<String> os,
        Optional<String> osFamily,
        Optional<String> kernel,
        Optional<String> initrd,
        String kernelArgs,
        Optional<String> installTemplate,
        boolean localBoot) {

    /** The suffix that names an OS installer environment: {@code <os>-install}. */
    public static final String INSTALL_SUFFIX = "-install";

    public static String installEnvFor(String os) {
        return os + INSTALL_SUFFIX;
    }

    /** The state a node created with this environment starts in. */
    public NodeState initialState() {
        if (name.equals(BootEnvironments.DISCOVERY)) {
            return NodeState.DISCOVERING;
        }
        if (localBoot) {
            return NodeState.INSTALLED;
        }
        return os.isPresent() ? NodeState.INSTALL_PENDING : NodeState.DISCOVERED;
    }
}
