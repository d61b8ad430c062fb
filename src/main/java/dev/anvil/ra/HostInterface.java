package dev.anvil.ra;

import dev.anvil.core.net.Ipv4Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One of this host's interfaces as the plan needs it: its name and addresses (IPv6 without a scope). */
public record HostInterface(String name, List<Ipv4Address> ipv4, List<Inet6Address> ipv6) {
    public HostInterface {
        ipv4 = List.copyOf(ipv4);
        ipv6 = List.copyOf(ipv6);
    }

    /**
     * The host's interfaces, loopback excepted, as the kernel lists them now, whether or not they are up or have a
     * carrier: {@link NetworkInterface#isUp()} is false without IFF_RUNNING, so a bridge whose ports have no link
     * yet (the e2e lab's before its VM starts) or an admin port with no cable at start would be left out of the RA
     * plan for good. radvd itself waits for such an interface to come up and advertises then.
     */
    public static List<HostInterface> read() throws SocketException {
        List<HostInterface> out = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (ni.isLoopback()) {
                continue;
            }
            List<Ipv4Address> v4 = new ArrayList<>();
            List<Inet6Address> v6 = new ArrayList<>();
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    v4.add(Ipv4Address.of(a));
                } else if (a instanceof Inet6Address a6 && !a6.isLinkLocalAddress()) {
                    try {
                        v6.add((Inet6Address) InetAddress.getByAddress(a6.getAddress()));
                    } catch (java.net.UnknownHostException e) {
                        throw new IllegalStateException(e); // 16 bytes are always an address
                    }
                }
            }
            out.add(new HostInterface(ni.getName(), v4, v6));
        }
        return out;
    }
}
