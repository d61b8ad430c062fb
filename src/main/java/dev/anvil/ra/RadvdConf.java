package dev.anvil.ra;

import dev.anvil.config.RaConfig;
import java.util.List;

/**
 * radvd.conf text from the links to advertise on (pure; golden-file tests in {@code RadvdConfTest}). Per link:
 * the M and O flags ({@code ra.managed}), router lifetime 0 unless {@code ra.router}, the network's /64 on-link
 * with the A flag from {@code ra.autonomous}, RDNSS and DNSSL (RFC 8106) with radvd's default lifetimes (2 x
 * MaxRtrAdvInterval). radvd answers router solicitations by itself, at once (RFC 4861's 0.5 s random delay at
 * most, and its MinDelayBetweenRAs of 3 s between multicast answers).
 */
public final class RadvdConf {
    private RadvdConf() {}

    public static String render(List<RaLink> links, RaConfig ra) {
        StringBuilder b = new StringBuilder("# Written by anvild (ra: section; doc/ipv6.md). Changes here are lost.\n");
        for (RaLink l : links) {
            String flag = ra.managed() ? "on" : "off";
            b.append("\n# network ").append(l.network()).append('\n');
            b.append("interface ").append(l.iface()).append(" {\n");
            b.append("    AdvSendAdvert on;\n");
            b.append("    IgnoreIfMissing on;\n");
            b.append("    AdvManagedFlag ").append(flag).append(";\n");
            b.append("    AdvOtherConfigFlag ").append(flag).append(";\n");
            b.append("    AdvDefaultLifetime ").append(ra.routerLifetime()).append(";\n");
            b.append("    MinRtrAdvInterval ").append(ra.minInterval()).append(";\n");
            b.append("    MaxRtrAdvInterval ").append(ra.maxInterval()).append(";\n");
            b.append("    prefix ").append(l.prefix()).append(" {\n");
            b.append("        AdvOnLink on;\n");
            b.append("        AdvAutonomous ")
                    .append(ra.autonomous() ? "on" : "off")
                    .append(";\n");
            b.append("    };\n");
            if (!l.rdnss().isEmpty()) {
                b.append("    RDNSS ").append(String.join(" ", l.rdnss())).append(" {\n    };\n");
            }
            b.append("    DNSSL ").append(l.domain()).append(" {\n    };\n");
            b.append("};\n");
        }
        return b.toString();
    }
}
