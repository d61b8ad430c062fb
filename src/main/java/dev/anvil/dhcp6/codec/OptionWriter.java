package dev.anvil.dhcp6.codec;

import dev.anvil.dhcp6.codec.Dhcp6Option.BootfileParam;
import dev.anvil.dhcp6.codec.Dhcp6Option.BootfileUrl;
import dev.anvil.dhcp6.codec.Dhcp6Option.ClientArchType;
import dev.anvil.dhcp6.codec.Dhcp6Option.ClientId;
import dev.anvil.dhcp6.codec.Dhcp6Option.ClientLinkLayerAddress;
import dev.anvil.dhcp6.codec.Dhcp6Option.DnsServers;
import dev.anvil.dhcp6.codec.Dhcp6Option.DomainList;
import dev.anvil.dhcp6.codec.Dhcp6Option.ElapsedTime;
import dev.anvil.dhcp6.codec.Dhcp6Option.IaAddress;
import dev.anvil.dhcp6.codec.Dhcp6Option.IaNa;
import dev.anvil.dhcp6.codec.Dhcp6Option.IaTa;
import dev.anvil.dhcp6.codec.Dhcp6Option.InformationRefreshTime;
import dev.anvil.dhcp6.codec.Dhcp6Option.NetworkInterfaceId;
import dev.anvil.dhcp6.codec.Dhcp6Option.OptionRequest;
import dev.anvil.dhcp6.codec.Dhcp6Option.Preference;
import dev.anvil.dhcp6.codec.Dhcp6Option.RelayInterfaceId;
import dev.anvil.dhcp6.codec.Dhcp6Option.RelayMsg;
import dev.anvil.dhcp6.codec.Dhcp6Option.ServerId;
import dev.anvil.dhcp6.codec.Dhcp6Option.StatusCode;
import dev.anvil.dhcp6.codec.Dhcp6Option.Unknown;
import dev.anvil.dhcp6.codec.Dhcp6Option.UserClass;
import dev.anvil.dhcp6.codec.Dhcp6Option.VendorClass;
import dev.anvil.dhcp6.codec.Dhcp6Option.VendorOpts;

/** Option lists to bytes: code, a 16-bit length filled in afterwards, the value. */
final class OptionWriter {
    private OptionWriter() {}

    static void write(Writer out, Dhcp6Options options) {
        for (Dhcp6Option o : options.all()) {
            out.u16(o.code());
            int mark = out.reserveLength();
            value(out, o);
            out.patchLength(mark, "option " + o.code());
        }
    }

    private static void value(Writer out, Dhcp6Option o) {
        if (o instanceof ClientId c) {
            c.duid().raw().writeTo(out);
        } else if (o instanceof ServerId s) {
            s.duid().raw().writeTo(out);
        } else if (o instanceof IaNa ia) {
            out.u32(ia.iaid()).u32(ia.t1()).u32(ia.t2());
            write(out, ia.options());
        } else if (o instanceof IaTa ia) {
            out.u32(ia.iaid());
            write(out, ia.options());
        } else if (o instanceof IaAddress a) {
            out.address(a.address()).u32(a.preferredLifetime()).u32(a.validLifetime());
            write(out, a.options());
        } else if (o instanceof OptionRequest oro) {
            oro.codes().forEach(out::u16);
        } else if (o instanceof Preference p) {
            out.u8(p.value());
        } else if (o instanceof ElapsedTime e) {
            out.u16(e.hundredths());
        } else if (o instanceof RelayMsg r) {
            Dhcp6Codec.write(out, r.message());
        } else if (o instanceof StatusCode s) {
            out.u16(s.status()).utf8(s.message());
        } else if (o instanceof UserClass u) {
            u.classes().forEach(c -> item(out, c));
        } else if (o instanceof VendorClass v) {
            out.u32(v.enterpriseNumber());
            v.classes().forEach(c -> item(out, c));
        } else if (o instanceof VendorOpts v) {
            out.u32(v.enterpriseNumber());
            v.data().writeTo(out);
        } else if (o instanceof RelayInterfaceId i) {
            i.id().writeTo(out);
        } else if (o instanceof DnsServers d) {
            d.servers().forEach(out::address);
        } else if (o instanceof DomainList d) {
            d.names().forEach(n -> DomainNames.write(out, n));
        } else if (o instanceof InformationRefreshTime t) {
            out.u32(t.seconds());
        } else if (o instanceof BootfileUrl u) {
            out.utf8(u.url());
        } else if (o instanceof BootfileParam p) {
            p.params().forEach(out::lengthPrefixedUtf8);
        } else if (o instanceof ClientArchType a) {
            a.types().forEach(out::u16);
        } else if (o instanceof NetworkInterfaceId n) {
            out.u8(n.type()).u8(n.major()).u8(n.minor());
        } else if (o instanceof ClientLinkLayerAddress l) {
            out.u16(l.hardwareType());
            l.address().writeTo(out);
        } else if (o instanceof Unknown u) {
            u.value().writeTo(out);
        }
        // RapidCommit has no value.
    }

    private static void item(Writer out, Octets item) {
        out.u16(item.length());
        item.writeTo(out);
    }
}
