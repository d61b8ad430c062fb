package dev.anvil.dhcp.codec;

/** DHCP option codes (RFC 2132 and later) Anvil reads or writes. Codes are plain ints: unknown ones round-trip. */
public final class DhcpOption {
    public static final int PAD = 0;
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DNS_SERVERS = 6;
    public static final int HOST_NAME = 12;
    public static final int DOMAIN_NAME = 15;
    public static final int VENDOR_SPECIFIC = 43;
    public static final int REQUESTED_IP = 50;
    public static final int LEASE_TIME = 51;
    /** RFC 2132 §9.3: 1 = file holds options, 2 = sname holds options, 3 = both. */
    public static final int OVERLOAD = 52;

    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_ID = 54;
    public static final int PARAMETER_REQUEST_LIST = 55;
    public static final int MESSAGE = 56;
    public static final int MAX_MESSAGE_SIZE = 57;
    public static final int RENEWAL_TIME = 58;
    public static final int REBINDING_TIME = 59;
    public static final int VENDOR_CLASS = 60;
    public static final int CLIENT_ID = 61;
    public static final int TFTP_SERVER_NAME = 66;
    public static final int BOOTFILE_NAME = 67;
    /** RFC 3004 user class; iPXE sends the bare string "iPXE" (not the RFC's length-prefixed form). */
    public static final int USER_CLASS = 77;
    /** RFC 3046 relay agent information; echoed back unchanged. */
    public static final int RELAY_AGENT_INFO = 82;
    /** RFC 4578 client system architecture. */
    public static final int CLIENT_ARCH = 93;

    public static final int CLIENT_NDI = 94;
    /** RFC 4578 client machine identifier (UUID/GUID); echoed when sent. */
    public static final int CLIENT_UUID = 97;
    /** iPXE's encapsulated options; sub-option 176 "no-pxedhcp" = 1 skips its 3 s wait for a ProxyDHCP offer. */
    public static final int IPXE_ENCAP = 175;

    public static final int END = 255;

    private DhcpOption() {}
}
