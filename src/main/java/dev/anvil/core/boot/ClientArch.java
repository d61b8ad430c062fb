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

    /** IANA's names, by code ("Processor Architecture Types", RFC 4578 §2.1 and its registry). */
    private static final String[] NAMES = {
        "x86 BIOS", // 0
        "NEC/PC98 (DEPRECATED)",
        "Itanium",
        "DEC Alpha (DEPRECATED)",
        "Arc x86 (DEPRECATED)",
        "Intel Lean Client (DEPRECATED)",
        "x86 UEFI",
        "x64 UEFI",
        "EFI Xscale (DEPRECATED)",
        "EBC",
        "ARM 32-bit UEFI", // 10
        "ARM 64-bit UEFI",
        "PowerPC Open Firmware",
        "PowerPC ePAPR",
        "POWER OPAL v3",
        "x86 UEFI HTTP boot",
        "x64 UEFI HTTP boot",
        "EBC HTTP boot",
        "ARM 32-bit UEFI HTTP boot",
        "ARM 64-bit UEFI HTTP boot",
        "x86 BIOS HTTP boot", // 20
        "ARM 32-bit U-Boot",
        "ARM 64-bit U-Boot",
        "ARM 32-bit U-Boot HTTP boot",
        "ARM 64-bit U-Boot HTTP boot",
        "RISC-V 32-bit UEFI",
        "RISC-V 32-bit UEFI HTTP boot",
        "RISC-V 64-bit UEFI",
        "RISC-V 64-bit UEFI HTTP boot",
        "RISC-V 128-bit UEFI",
        "RISC-V 128-bit UEFI HTTP boot", // 30
        "s390 Basic",
        "s390 Extended",
        "MIPS 32-bit UEFI",
        "MIPS 64-bit UEFI",
        "Sunway 32-bit UEFI",
        "Sunway 64-bit UEFI",
        "LoongArch 32-bit UEFI",
        "LoongArch 32-bit UEFI HTTP boot",
        "LoongArch 64-bit UEFI",
        "LoongArch 64-bit UEFI HTTP boot", // 40
        "ARM rpiboot"
    };

    /**
     * The architecture for logs: {@code 27 (0x1b, RISC-V 64-bit UEFI)}, or {@code 200 (0xc8, unassigned)} for a code
     * IANA has not named (as of 2026).
     */
    public String describe() {
        String name = code >= 0 && code < NAMES.length ? NAMES[code] : "unassigned";
        return code + " (0x" + Integer.toHexString(code) + ", " + name + ")";
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
