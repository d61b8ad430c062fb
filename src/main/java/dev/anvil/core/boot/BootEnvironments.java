package dev.anvil.core.boot;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The catalog of boot environments by name, fixed once the daemon has started. */
public final class BootEnvironments {
    public static final String DISCOVERY = "sledgehammer";
    public static final String LOCAL = "local";
    /**
     * The discovery image for arm64 machines, optional: GRUB's discovery config boots it instead of {@link
     * #DISCOVERY} when GRUB runs on arm64 ({@code $grub_cpu}), as one discovery environment cannot boot both.
     */
    public static final String DISCOVERY_ARM64 = "sledgehammer-arm64";

    private final Map<String, BootEnvironment> byName;

    public BootEnvironments(Collection<BootEnvironment> envs) {
        Map<String, BootEnvironment> m = new LinkedHashMap<>();
        for (BootEnvironment e : envs) {
            m.put(e.name(), e);
        }
        for (String required : List.of(DISCOVERY, LOCAL)) {
            if (!m.containsKey(required)) {
                throw new IllegalArgumentException("the boot environment \"" + required + "\" must be defined");
            }
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    public Optional<BootEnvironment> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<BootEnvironment> all() {
        return byName.values();
    }

    /** The installer environment for an OS name such as {@code ubuntu-22.04}, if one is defined. */
    public Optional<BootEnvironment> installerFor(String os) {
        return get(BootEnvironment.installEnvFor(os)).filter(e -> e.os().isPresent());
    }

    /** The OS names that have an installer environment. */
    public List<String> installableOses() {
        return byName.values().stream()
                .filter(e -> e.name().endsWith(BootEnvironment.INSTALL_SUFFIX))
                .flatMap(e -> e.os().stream())
                .toList();
    }
}
