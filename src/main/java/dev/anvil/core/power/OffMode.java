package dev.anvil.core.power;

/** How a machine is powered off. */
public enum OffMode {
    /** At once, like pulling the plug. */
    HARD,
    /** An ACPI shutdown request: the OS decides, and may ignore it. */
    SOFT
}
