package dev.anvil.core.power;

import java.util.Objects;

/** What a driver needs to reach one BMC: its settings and the opened password (shown as {@code ***}). */
public record BmcAccess(Bmc bmc, Secret secret) {
    public BmcAccess {
        Objects.requireNonNull(bmc, "bmc");
        Objects.requireNonNull(secret, "secret");
    }
}
