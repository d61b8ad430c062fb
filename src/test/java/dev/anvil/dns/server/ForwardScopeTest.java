package dev.anvil.dns.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.NetworkCatalog;
import java.net.InetAddress;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ForwardScopeTest {
    static final AnvilConfig CFG = new ConfigLoader().embeddedDefault();
    static final Addressing ADDRESSING = new Addressing(0x12_3456_789aL);

    @Test
    void clientsOfEitherFamilyInsideAServedNetworkAreForwardedForOthersNot() throws Exception {
        NetworkCatalog catalog = new NetworkCatalog(CFG.networks());
        Predicate<InetAddress> scope = ForwardScope.of(CFG.dns(), catalog, ADDRESSING);
        String prefix = ADDRESSING
                .prefix(catalog.get("admin").orElseThrow())
                .orElseThrow()
                .toString();
        String inside = prefix.replace("::/64", "::abcd");
        assertTrue(scope.test(InetAddress.getByName("10.10.0.50")));
        assertTrue(scope.test(InetAddress.getByName(inside)), inside);
        assertFalse(scope.test(InetAddress.getByName("192.0.2.1")));
        assertFalse(scope.test(InetAddress.getByName("2001:db8::1")));
        assertFalse(scope.test(InetAddress.getByName("::1")));
        byte[] m = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 10, 0, 50};
        assertTrue(scope.test(InetAddress.getByAddress(m)), "IPv4-mapped, as a dual-stack socket may hand it over");
    }
}
