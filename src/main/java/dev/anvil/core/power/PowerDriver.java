package dev.anvil.core.power;

/**
 * Talks to one kind of BMC (IPMI, Redfish). Each call is bounded in time and throws a {@link PowerException} with
 * a clear kind; none blocks calls for other BMCs. Implementations live outside the core ({@code dev.anvil.power}).
 */
public interface PowerDriver {
    /** The name {@link Bmc#driver()} selects it by ({@code ipmi}). */
    String name();

    PowerState status(BmcAccess bmc);

    void on(BmcAccess bmc);

    void off(BmcAccess bmc, OffMode mode);

    /** Off, then on again (the BMC's own power cycle). */
    void cycle(BmcAccess bmc);

    /** The device the machine boots from next; {@code once}: only the next boot, then back to its own order. */
    void setNextBoot(BmcAccess bmc, BootDevice device, boolean once);
}
