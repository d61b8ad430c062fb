package dev.anvil.dhcp6.codec;

import dev.anvil.core.node.MacAddress;
import java.net.Inet6Address;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One DHCPv6 option as a typed value (RFC 8415 §21, RFC 3646, RFC 5970, RFC 6939); an option this codec does not
 * know is an {@link Unknown} and goes back on the wire as it came. The constructors check what the wire format
 * cannot carry (a 16-bit value over 65535) and throw {@link IllegalArgumentException}: that is a caller's bug,
 * not hostile input (the decoder checks the bytes before it builds a value).
 *
 * <p>Size: over 300 lines because it holds one small record per option (24 of them), so the sealed family and
 * its codes read in one place.
 */
public sealed interface Dhcp6Option {
    int CLIENTID = 1;
    int SERVERID = 2;
    int IA_NA = 3;
    int IA_TA = 4;
    int IAADDR = 5;
    int ORO = 6;
    int PREFERENCE = 7;
    int ELAPSED_TIME = 8;
    int RELAY_MSG = 9;
    int STATUS_CODE = 13;
    int RAPID_COMMIT = 14;
    int USER_CLASS = 15;
    int VENDOR_CLASS = 16;
    int VENDOR_OPTS = 17;
    int INTERFACE_ID = 18;
    int DNS_SERVERS = 23;
    int DOMAIN_LIST = 24;
    int INFORMATION_REFRESH_TIME = 32;
    int BOOTFILE_URL = 59;
    int BOOTFILE_PARAM = 60;
    int CLIENT_ARCH_TYPE = 61;
    int NII = 62;
    int CLIENT_LINKLAYER_ADDR = 79;

    /** The option code. */
    int code();

    /** The client's DUID. */
    record ClientId(Duid duid) implements Dhcp6Option {
        public ClientId {
            Objects.requireNonNull(duid);
        }

        @Override
        public int code() {
            return CLIENTID;
        }
    }

    /** The server's DUID. */
    record ServerId(Duid duid) implements Dhcp6Option {
        public ServerId {
            Objects.requireNonNull(duid);
        }

        @Override
        public int code() {
            return SERVERID;
        }
    }

    /** Identity association for non-temporary addresses: IAID, T1 and T2 in seconds, options (IAADDR, status). */
    record IaNa(long iaid, long t1, long t2, Dhcp6Options options) implements Dhcp6Option {
        public IaNa {
            u32(iaid, "IAID");
            u32(t1, "T1");
            u32(t2, "T2");
            Objects.requireNonNull(options);
        }

        public List<IaAddress> addresses() {
            return options.all(IaAddress.class);
        }

        public Optional<StatusCode> status() {
            return options.first(StatusCode.class);
        }

        @Override
        public int code() {
            return IA_NA;
        }
    }

    /** Identity association for temporary addresses: IAID and options. */
    record IaTa(long iaid, Dhcp6Options options) implements Dhcp6Option {
        public IaTa {
            u32(iaid, "IAID");
            Objects.requireNonNull(options);
        }

        @Override
        public int code() {
            return IA_TA;
        }
    }

    /** An address in an IA: preferred and valid lifetimes in seconds (0xffffffff: infinity), options. */
    record IaAddress(Inet6Address address, long preferredLifetime, long validLifetime, Dhcp6Options options)
            implements Dhcp6Option {
        public IaAddress {
            Objects.requireNonNull(address);
            u32(preferredLifetime, "preferred lifetime");
            u32(validLifetime, "valid lifetime");
            Objects.requireNonNull(options);
        }

        @Override
        public int code() {
            return IAADDR;
        }
    }

    /** Option request option: the codes the client asks for, in its order. */
    record OptionRequest(List<Integer> codes) implements Dhcp6Option {
        public OptionRequest {
            codes = List.copyOf(codes);
            codes.forEach(c -> u16(c, "option code"));
        }

        public boolean requests(int code) {
            return codes.contains(code);
        }

        @Override
        public int code() {
            return ORO;
        }
    }

    /** Server preference, 0 to 255 (255: take this server at once). */
    record Preference(int value) implements Dhcp6Option {
        public Preference {
            u8(value, "preference");
        }

        @Override
        public int code() {
            return PREFERENCE;
        }
    }

    /** How long the client has been trying, in hundredths of a second (0xffff: longer than that). */
    record ElapsedTime(int hundredths) implements Dhcp6Option {
        public ElapsedTime {
            u16(hundredths, "elapsed time");
        }

        @Override
        public int code() {
            return ELAPSED_TIME;
        }
    }

    /** The message a relay forwards or is handed back (RELAY-FORW / RELAY-REPL). */
    record RelayMsg(Dhcp6Message message) implements Dhcp6Option {
        public RelayMsg {
            Objects.requireNonNull(message);
        }

        @Override
        public int code() {
            return RELAY_MSG;
        }
    }

    /** A status code (see {@link Status}) and a UTF-8 message for people. */
    record StatusCode(int status, String message) implements Dhcp6Option {
        public StatusCode {
            u16(status, "status code");
            Objects.requireNonNull(message);
        }

        public StatusCode(Status status, String message) {
            this(status.code(), message);
        }

        public Optional<Status> known() {
            return Status.of(status);
        }

        @Override
        public int code() {
            return STATUS_CODE;
        }
    }

    /** The client asks for (SOLICIT) or the server grants (REPLY) the two-message exchange. No value. */
    record RapidCommit() implements Dhcp6Option {
        @Override
        public int code() {
            return RAPID_COMMIT;
        }
    }

    /** User classes: opaque items, each sent with a 16-bit length. */
    record UserClass(List<Octets> classes) implements Dhcp6Option {
        public UserClass {
            classes = List.copyOf(classes);
            classes.forEach(c -> Writer.checkLength(c.length(), "a user class"));
        }

        @Override
        public int code() {
            return USER_CLASS;
        }
    }

    /** Vendor class: an IANA enterprise number and opaque items (OVMF sends "PXEClient:Arch:..." here). */
    record VendorClass(long enterpriseNumber, List<Octets> classes) implements Dhcp6Option {
        public VendorClass {
            u32(enterpriseNumber, "enterprise number");
            classes = List.copyOf(classes);
            classes.forEach(c -> Writer.checkLength(c.length(), "a vendor class"));
        }

        @Override
        public int code() {
            return VENDOR_CLASS;
        }
    }

    /** Vendor-specific information: an enterprise number and the vendor's options, kept as bytes. */
    record VendorOpts(long enterpriseNumber, Octets data) implements Dhcp6Option {
        public VendorOpts {
            u32(enterpriseNumber, "enterprise number");
            Objects.requireNonNull(data);
        }

        @Override
        public int code() {
            return VENDOR_OPTS;
        }
    }

    /** The relay's opaque name for the interface a message came in on, echoed in RELAY-REPL. */
    record RelayInterfaceId(Octets id) implements Dhcp6Option {
        public RelayInterfaceId {
            if (id.length() == 0) {
                throw new IllegalArgumentException("an interface id has at least one byte");
            }
        }

        @Override
        public int code() {
            return INTERFACE_ID;
        }
    }

    /** Recursive DNS servers (RFC 3646 §3). */
    record DnsServers(List<Inet6Address> servers) implements Dhcp6Option {
        public DnsServers {
            servers = List.copyOf(servers);
        }

        @Override
        public int code() {
            return DNS_SERVERS;
        }
    }

    /** Domain search list (RFC 3646 §4): names without the trailing dot, uncompressed on the wire. */
    record DomainList(List<String> names) implements Dhcp6Option {
        public DomainList {
            names = List.copyOf(names);
            names.forEach(DomainNames::check);
        }

        @Override
        public int code() {
            return DOMAIN_LIST;
        }
    }

    /** How long a stateless client may go before it asks again, in seconds (RFC 8415 §21.23). */
    record InformationRefreshTime(long seconds) implements Dhcp6Option {
        public InformationRefreshTime {
            u32(seconds, "information refresh time");
        }

        @Override
        public int code() {
            return INFORMATION_REFRESH_TIME;
        }
    }

    /** The boot file URL (RFC 5970 §3.1), e.g. {@code tftp://[fd00::1]/snponly.efi}. */
    record BootfileUrl(String url) implements Dhcp6Option {
        public BootfileUrl {
            if (url.isEmpty()) {
                throw new IllegalArgumentException("a boot file URL is not empty");
            }
        }

        @Override
        public int code() {
            return BOOTFILE_URL;
        }
    }

    /** Parameters for the boot file (RFC 5970 §3.2), each sent with a 16-bit length. */
    record BootfileParam(List<String> params) implements Dhcp6Option {
        public BootfileParam {
            params = List.copyOf(params);
        }

        @Override
        public int code() {
            return BOOTFILE_PARAM;
        }
    }

    /** The client's architecture types (RFC 5970 §3.3, IANA "Processor Architecture Types": 7 is x64 UEFI). */
    record ClientArchType(List<Integer> types) implements Dhcp6Option {
        public ClientArchType {
            types = List.copyOf(types);
            types.forEach(t -> u16(t, "architecture type"));
        }

        @Override
        public int code() {
            return CLIENT_ARCH_TYPE;
        }
    }

    /** Client network interface identifier (RFC 5970 §3.4): type (1: UNDI) and its major and minor revision. */
    record NetworkInterfaceId(int type, int major, int minor) implements Dhcp6Option {
        public NetworkInterfaceId {
            u8(type, "interface type");
            u8(major, "major revision");
            u8(minor, "minor revision");
        }

        @Override
        public int code() {
            return NII;
        }
    }

    /** The client's link-layer address as a relay saw it (RFC 6939): hardware type and address. */
    record ClientLinkLayerAddress(int hardwareType, Octets address) implements Dhcp6Option {
        public ClientLinkLayerAddress {
            u16(hardwareType, "hardware type");
            Objects.requireNonNull(address);
        }

        /** The address as a MAC when it is Ethernet (hardware type 1) and six bytes long. */
        public Optional<MacAddress> mac() {
            return hardwareType == Duid.ETHERNET && address.length() == 6
                    ? Optional.of(MacAddress.fromBytes(address.toByteArray(), 0))
                    : Optional.empty();
        }

        @Override
        public int code() {
            return CLIENT_LINKLAYER_ADDR;
        }
    }

    /** An option this codec does not interpret: its code and value bytes, re-encoded unchanged. */
    record Unknown(int code, Octets value) implements Dhcp6Option {
        public Unknown {
            u16(code, "option code");
            Objects.requireNonNull(value);
        }
    }

    private static void u8(int v, String what) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException(what + " " + v + " is not 0..255");
        }
    }

    private static void u16(int v, String what) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(what + " " + v + " is not 0..65535");
        }
    }

    private static void u32(long v, String what) {
        if (v < 0 || v > 0xffff_ffffL) {
            throw new IllegalArgumentException(what + " " + v + " is not 0..4294967295");
        }
    }
}
