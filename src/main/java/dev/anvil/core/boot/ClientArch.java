package dev.anvil.core.boot;

/**
 * A client system architecture from DHCP option 93 (RFC 4578 §2.1, IANA "Processor Architecture Types").
 * An open value type: unknown codes are kept and map to {@link Firmware#UNKNOWN}.
 */
public record ClientArch(int code) {
    public static final ClientArch BIOS = new ClientArch(0);

    /** The boot-file families Anvil hands out. */
    public enum Firmware {
        BIOS("bios"),
        EFI_IA32("efi-ia32"),
        EFI_X64("efi-x64"),
        EFI_ARM32("efi-arm32"),
        EFI_ARM64("efi-arm64"),
        HTTP_IA32("http-ia32"),
        HTTP_X64("http-x64"),
        HTTP_ARM32("http-arm32"),
        HTTP_ARM64("http-arm64"),
        UNKNOWN("unknown");

        private final String key;

        Firmware(String key) {
            this.key = key;
        }

        /** The name used in configuration ({@code dhcp.bootFiles}). */
        public String key() {
            return key;
        }

        public boolean isHttp() {
            return name().startsWith("HTTP_");
        }

        public boolean isEfi() {
            return name().startsWith("EFI_") || isHttp();
        }
    }

    public Firmware firmware() {
        return switch (code) {
            case 0 -> Firmware.BIOS;
            case 6 -> Firmware.EFI_IA32;
            case 7, 9 -> Firmware.EFI_X64;
            case 10 -> Firmware.EFI_ARM32;
            case 11 -> Firmware.EFI_ARM64;
            case 15 -> Firmware.HTTP_IA32;
            case 16 -> Firmware.HTTP_X64;
            case 18 -> Firmware.HTTP_ARM32;
            case 19 -> Firmware.HTTP_ARM64;
            default -> Firmware.UNKNOWN;
        };
    }
}
