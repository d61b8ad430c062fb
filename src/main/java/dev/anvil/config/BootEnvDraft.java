package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import dev.anvil.core.boot.BootEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** A boot environment as written in YAML. */
record BootEnvDraft(
        String name,
        String description,
        String os,
        String osFamily,
        String kernel,
        String initrd,
        String kernelArgs,
        String installTemplate,
        Boolean localBoot) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    BootEnvironment validate() {
        List<Violation> v = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            v.add(new Violation("name", "is required: 1 to 64 of a-z, 0-9, '.', '-', '_'"));
        }
        boolean local = Boolean.TRUE.equals(localBoot);
        if (!local && (kernel == null || kernel.isBlank())) {
            v.add(new Violation("kernel", "is required unless localBoot is true"));
        }
        if (name != null && name.endsWith(BootEnvironment.INSTALL_SUFFIX)) {
            String expected = name.substring(0, name.length() - BootEnvironment.INSTALL_SUFFIX.length());
            if (os == null || !os.equals(expected)) {
                v.add(new Violation("os", "must be \"" + expected + "\" for the installer environment " + name));
            }
            if (installTemplate == null) {
                v.add(new Violation("installTemplate", "is required for an installer environment"));
            }
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new BootEnvironment(
                name,
                description == null ? "" : description,
                Optional.ofNullable(os),
                Optional.ofNullable(osFamily),
                Optional.ofNullable(kernel),
                Optional.ofNullable(initrd),
                kernelArgs == null ? "" : kernelArgs,
                Optional.ofNullable(installTemplate),
                local);
    }
}
