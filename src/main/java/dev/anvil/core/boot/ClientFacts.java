package dev.anvil.core.boot;

import java.util.Optional;

/**
 * What a booting client said about itself: its architecture (DHCP option 93, RFC 4578), vendor class (60)
 * and whether it already runs iPXE (user class 77 {@code iPXE}). {@link #NONE} is a request that says
 * nothing (a TFTP or HTTP fetch of a boot config): its plan has no loader.
 */
public record ClientFacts(Optional<Integer> archCode, String vendorClass, boolean ipxe) {
    public static final ClientFacts NONE = new ClientFacts(Optional.empty(), "", false);

    public ClientFacts {
        vendorClass = vendorClass == null ? "" : vendorClass;
    }

    public boolean pxe() {
        return vendorClass.startsWith("PXEClient");
    }

    public boolean httpBoot() {
        return vendorClass.startsWith("HTTPClient");
    }

    /** A network-boot client at all (PXE, UEFI HTTP boot, iPXE, or any client naming an architecture). */
    public boolean netBoot() {
        return pxe() || httpBoot() || ipxe || archCode.isPresent();
    }
}
