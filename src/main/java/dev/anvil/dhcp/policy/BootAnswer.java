package dev.anvil.dhcp.policy;

import dev.anvil.config.DhcpConfig;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.ClientArch;
import dev.anvil.core.boot.ClientArch.Firmware;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp.codec.DhcpOptions;
import java.util.Optional;

/**
 * What a network-booting client is told to load: a boot file (TFTP path) or URL, the next server, and the
 * vendor class to send back. Only UEFI HTTP boot needs one ({@code HTTPClient}); a full DHCP answer to a PXE
 * client carries none, because OVMF takes {@code PXEClient} without option 43 as a cue to ask a boot server
 * on port 4011 first, which costs it a second per boot (seen in the QEMU lab, doc/firmware-matrix.md).
 * Plain DHCP clients get no boot answer at all.
 */
public record BootAnswer(String file, Ipv4Address nextServer, Optional<String> vendorClass) {

  /**
   * Decides the answer from the client's firmware (option 93, vendor class 60, user class 77) and the boot
   * environment its node is in.
   */
  public static Optional<BootAnswer> decide(DhcpOptions req, BootEnvironment env, MacAddress mac,
      Ipv4Address server, int httpPort, DhcpConfig cfg) {
    String vendor = req.vendorClass().orElse("");
    boolean pxe = vendor.startsWith("PXEClient");
    boolean http = vendor.startsWith("HTTPClient");
    boolean ipxe = req.hasUserClass("iPXE");
    Optional<Integer> archCode = req.clientArch();
    if (!pxe && !http && !ipxe && archCode.isEmpty()) {
      return Optional.empty(); // an ordinary DHCP client: no boot answer at all
    }
    if (env.localBoot() && !cfg.localBootLoader()) {
      return Optional.empty(); // no file: the firmware goes on to its next boot device, the disk
    }
    Firmware fw = archCode.map(ClientArch::new).orElse(ClientArch.BIOS).firmware();
    if (http && !fw.isHttp()) {
      fw = switch (fw) {
        case EFI_IA32 -> Firmware.HTTP_IA32;
        case EFI_ARM32 -> Firmware.HTTP_ARM32;
        case EFI_ARM64 -> Firmware.HTTP_ARM64;
        default -> Firmware.HTTP_X64;
      };
    }
    if (ipxe) {
      // Already running iPXE: go straight to the node's script, whatever the firmware underneath.
      return Optional.of(new BootAnswer(expand(cfg.ipxeScript(), mac, server, httpPort), server,
          Optional.empty()));
    }
    if (fw == Firmware.UNKNOWN) {
      return Optional.empty();
    }
    String file = expand(cfg.bootFiles().get(fw), mac, server, httpPort);
    return Optional.of(new BootAnswer(file, server, fw.isHttp() ? Optional.of("HTTPClient") : Optional.empty()));
  }

  static String expand(String template, MacAddress mac, Ipv4Address server, int httpPort) {
    return template.replace("{http}", "http://" + server + ":" + httpPort)
        .replace("{server}", server.toString())
        .replace("{httpPort}", Integer.toString(httpPort))
        .replace("{mac}", mac.format('-'));
  }
}
