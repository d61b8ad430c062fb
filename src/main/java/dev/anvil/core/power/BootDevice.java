package dev.anvil.core.power;

/** Where a machine boots from next, as set through its BMC. */
public enum BootDevice {
    /** The network (PXE; HTTP boot where the firmware does it). */
    PXE,
    /** The first local disk. */
    DISK
}
