package dev.anvil.api;

import dev.anvil.core.boot.BootEnvironment;

/** A boot environment as the API shows it. */
public record BootEnvJson(
        String name,
        String description,
        String os,
        String osFamily,
        String kernel,
        String initrd,
        String kernelArgs,
        String installTemplate,
        boolean localBoot) {

    static BootEnvJson of(BootEnvironment e) {
        return new BootEnvJson(
                e.name(),
                e.description(),
                e.os().orElse(null),
                e.osFamily().orElse(null),
                e.kernel().orElse(null),
                e.initrd().orElse(null),
                e.kernelArgs(),
                e.installTemplate().orElse(null),
                e.localBoot());
    }
}
