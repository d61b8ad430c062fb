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
import dev.anvil.dhcp6.codec.Dhcp6Option.RapidCommit;
import dev.anvil.dhcp6.codec.Dhcp6Option.RelayInterfaceId;
import dev.anvil.dhcp6.codec.Dhcp6Option.RelayMsg;
import dev.anvil.dhcp6.codec.Dhcp6Option.ServerId;
import dev.anvil.dhcp6.codec.Dhcp6Option.StatusCode;
import dev.anvil.dhcp6.codec.Dhcp6Option.Unknown;
import dev.anvil.dhcp6.codec.Dhcp6Option.UserClass;
import dev.anvil.dhcp6.codec.Dhcp6Option.VendorClass;
import dev.anvil.dhcp6.codec.Dhcp6Option.VendorOpts;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Option lists from bytes: each option's code and length, then its value by code. Every length is checked
 * against what is left before anything is allocated, so the work and memory are linear in the input.
 */
final class OptionReader {
    /**
     * How deep option lists nest inside a message's own list: IA_NA, IAADDR, then the IAADDR's status code is 2;
     * one more is allowed for what may come, deeper is malformed.
     */
    static final int MAX_OPTION_NESTING = 3;

    private OptionReader() {}

    /** The options filling {@code r}; {@code relayDepth} counts the relay messages around them. */
    static Dhcp6Options read(Reader r, boolean inRelay, int relayDepth, int nesting) throws MalformedPacketException {
        if (nesting > MAX_OPTION_NESTING) {
            throw new MalformedPacketException("options nested deeper than " + MAX_OPTION_NESTING);
        }
        List<Dhcp6Option> out = new ArrayList<>();
        List<Integer> once = new ArrayList<>();
        while (r.more()) {
            int code = r.u16("option code");
            int len = r.u16("length of option " + code);
            if (len > r.remaining()) {
                throw new MalformedPacketException(
                        "option " + code + " of " + len + " bytes runs " + (len - r.remaining()) + " past the end");
            }
            if (Dhcp6Options.onlyOnce(code)) {
                if (once.contains(code)) {
                    throw new MalformedPacketException("option " + code + " appears twice");
                }
                once.add(code);
            }
            Reader v = r.slice(len, "option " + code);
            out.add(option(code, v, inRelay, relayDepth, nesting));
            v.end();
        }
        return Dhcp6Options.trusted(out);
    }

    private static Dhcp6Option option(int code, Reader v, boolean inRelay, int relayDepth, int nesting)
            throws MalformedPacketException {
        String what = "option " + code;
        return switch (code) {
            case Dhcp6Option.CLIENTID -> new ClientId(Duid.read(v, "CLIENTID"));
            case Dhcp6Option.SERVERID -> new ServerId(Duid.read(v, "SERVERID"));
            case Dhcp6Option.IA_NA ->
                new IaNa(
                        v.u32("IA_NA IAID"),
                        v.u32("IA_NA T1"),
                        v.u32("IA_NA T2"),
                        read(v, false, relayDepth, nesting + 1));
            case Dhcp6Option.IA_TA -> new IaTa(v.u32("IA_TA IAID"), read(v, false, relayDepth, nesting + 1));
            case Dhcp6Option.IAADDR ->
                new IaAddress(
                        v.address("IAADDR address"),
                        v.u32("IAADDR preferred lifetime"),
                        v.u32("IAADDR valid lifetime"),
                        read(v, false, relayDepth, nesting + 1));
            case Dhcp6Option.ORO -> new OptionRequest(u16s(v, "ORO", false));
            case Dhcp6Option.PREFERENCE ->
                new Preference(fixed(v, 1, "PREFERENCE").u8(what));
            case Dhcp6Option.ELAPSED_TIME ->
                new ElapsedTime(fixed(v, 2, "ELAPSED_TIME").u16(what));
            case Dhcp6Option.RELAY_MSG -> relayMsg(v, inRelay, relayDepth);
            case Dhcp6Option.STATUS_CODE ->
                new StatusCode(v.u16("STATUS_CODE code"), v.utf8(v.remaining(), "STATUS_CODE message"));
            case Dhcp6Option.RAPID_COMMIT -> {
                fixed(v, 0, "RAPID_COMMIT");
                yield new RapidCommit();
            }
            case Dhcp6Option.USER_CLASS -> new UserClass(items(nonEmpty(v, "USER_CLASS"), "USER_CLASS"));
            case Dhcp6Option.VENDOR_CLASS ->
                new VendorClass(v.u32("VENDOR_CLASS enterprise number"), items(v, "VENDOR_CLASS"));
            case Dhcp6Option.VENDOR_OPTS -> new VendorOpts(v.u32("VENDOR_OPTS enterprise number"), v.rest());
            case Dhcp6Option.INTERFACE_ID ->
                new RelayInterfaceId(nonEmpty(v, "INTERFACE_ID").rest());
            case Dhcp6Option.DNS_SERVERS -> new DnsServers(addresses(v));
            case Dhcp6Option.DOMAIN_LIST -> new DomainList(names(nonEmpty(v, "DOMAIN_LIST")));
            case Dhcp6Option.INFORMATION_REFRESH_TIME ->
                new InformationRefreshTime(
                        fixed(v, 4, "INFORMATION_REFRESH_TIME").u32(what));
            case Dhcp6Option.BOOTFILE_URL ->
                new BootfileUrl(nonEmpty(v, "OPT_BOOTFILE_URL").utf8(v.remaining(), "OPT_BOOTFILE_URL"));
            case Dhcp6Option.BOOTFILE_PARAM -> new BootfileParam(params(nonEmpty(v, "OPT_BOOTFILE_PARAM")));
            case Dhcp6Option.CLIENT_ARCH_TYPE -> new ClientArchType(u16s(v, "OPT_CLIENT_ARCH_TYPE", true));
            case Dhcp6Option.NII -> {
                fixed(v, 3, "OPT_NII");
                yield new NetworkInterfaceId(v.u8(what), v.u8(what), v.u8(what));
            }
            case Dhcp6Option.CLIENT_LINKLAYER_ADDR ->
                new ClientLinkLayerAddress(
                        v.u16("CLIENT_LINKLAYER_ADDR hardware type"),
                        nonEmpty(v, "CLIENT_LINKLAYER_ADDR address").rest());
            default -> new Unknown(code, v.rest());
        };
    }

    private static RelayMsg relayMsg(Reader v, boolean inRelay, int relayDepth) throws MalformedPacketException {
        if (!inRelay) {
            throw new MalformedPacketException("RELAY_MSG outside a relay message");
        }
        return new RelayMsg(Dhcp6Codec.message(v, relayDepth));
    }

    private static Reader fixed(Reader v, int len, String what) throws MalformedPacketException {
        if (v.remaining() != len) {
            throw new MalformedPacketException(what + " has " + v.remaining() + " bytes, not " + len);
        }
        return v;
    }

    private static Reader nonEmpty(Reader v, String what) throws MalformedPacketException {
        if (!v.more()) {
            throw new MalformedPacketException(what + " is empty");
        }
        return v;
    }

    private static List<Integer> u16s(Reader v, String what, boolean needOne) throws MalformedPacketException {
        if (v.remaining() % 2 != 0 || (needOne && !v.more())) {
            throw new MalformedPacketException(what + " of " + v.remaining() + " bytes is not a list of 16-bit values");
        }
        List<Integer> out = new ArrayList<>(v.remaining() / 2);
        while (v.more()) {
            out.add(v.u16(what));
        }
        return out;
    }

    private static List<Inet6Address> addresses(Reader v) throws MalformedPacketException {
        if (v.remaining() % 16 != 0 || !v.more()) {
            throw new MalformedPacketException("DNS_SERVERS of " + v.remaining() + " bytes is not a list of addresses");
        }
        List<Inet6Address> out = new ArrayList<>(v.remaining() / 16);
        while (v.more()) {
            out.add(v.address("DNS_SERVERS"));
        }
        return out;
    }

    /** Items each with a 16-bit length (USER_CLASS, VENDOR_CLASS). */
    private static List<Octets> items(Reader v, String what) throws MalformedPacketException {
        List<Octets> out = new ArrayList<>();
        while (v.more()) {
            out.add(v.octets(v.u16(what + " item length"), what + " item"));
        }
        return out;
    }

    private static List<String> params(Reader v) throws MalformedPacketException {
        List<String> out = new ArrayList<>();
        while (v.more()) {
            out.add(v.utf8(v.u16("OPT_BOOTFILE_PARAM length"), "OPT_BOOTFILE_PARAM parameter"));
        }
        return out;
    }

    private static List<String> names(Reader v) throws MalformedPacketException {
        List<String> out = new ArrayList<>();
        while (v.more()) {
            out.add(DomainNames.read(v));
        }
        return out;
    }
}
