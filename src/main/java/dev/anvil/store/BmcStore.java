package dev.anvil.store;

import dev.anvil.core.power.Bmc;
import java.util.Optional;

/**
 * Each node's BMC settings with its password sealed ({@link dev.anvil.core.power.SecretCipher}); the store never
 * sees the password in the clear. Each method is one transaction; a node's BMC goes with the node.
 */
public interface BmcStore {
    /** The settings and the sealed password. {@link #toString} leaves the sealed bytes out. */
    record Stored(Bmc bmc, byte[] sealedSecret) {
        @Override
        public String toString() {
            return "Stored[" + bmc + ", sealedSecret=" + sealedSecret.length + " bytes]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stored s && s.bmc.equals(bmc) && java.util.Arrays.equals(s.sealedSecret, sealedSecret);
        }

        @Override
        public int hashCode() {
            return bmc.hashCode() * 31 + java.util.Arrays.hashCode(sealedSecret);
        }
    }

    Optional<Stored> get(long nodeId);

    /** Sets (or replaces) the node's BMC; a missing node is a {@link dev.anvil.core.NotFoundException}. */
    void put(long nodeId, Stored stored);

    /** Removes the node's BMC; false when it had none. */
    boolean delete(long nodeId);
}
