package dev.anvil.core.boot;

import dev.anvil.core.boot.ClientArch.Firmware;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import java.util.Optional;

/**
 * What one client boots now, decided once by the {@link BootPlanner}: DHCP, TFTP, HTTP and the boot-config
 * templates only translate it into their protocol.
 *
 * @param env the boot environment the plan follows (the node's, or discovery for an unknown client)
 * @param nodeName the node's FQDN, empty for a client no node has
 * @param mac the client's MAC when known
 * @param loader the first-stage answer for DHCP; empty: no boot answer (a plain client, unknown firmware,
 *     or a local boot without a loader)
 * @param missingLoader why a network-boot client gets no loader although it asked for one (an architecture Anvil
 *     has no loader for, or a {@code dhcp.bootFiles} key without a file), for one clear log line; empty otherwise
 * @param http the boot listener's base URL as this client reaches it ({@code http://server:port})
 * @param tree the base URL of what the environment loads from: its OS install tree, or the boot root
 * @param kernel where the loader finds the kernel, as pxelinux/GRUB-over-TFTP name it (relative to the
 *     TFTP root for the discovery image, a URL for an installer)
 * @param initrd as {@code kernel}, for the initrd
 * @param kernelUrl the kernel over HTTP (what iPXE fetches)
 * @param initrdUrl the initrd over HTTP
 * @param grubKernel the kernel as GRUB names it ({@code (http,server:port)/...} for an installer)
 * @param grubInitrd the initrd as GRUB names it
 * @param kernelArgs the environment's kernel arguments, a template the renderer fills for the node
 * @param nodeUrl the node's own files on the boot listener ({@code <http>/nodes/<name or mac>})
 * @param answerFileUrl the node's answer file (kickstart, preseed, autoinstall, AutoYaST)
 */
public record BootPlan(
        BootEnvironment env,
        Optional<String> nodeName,
        Optional<MacAddress> mac,
        Optional<Loader> loader,
        Optional<String> missingLoader,
        Ipv4Address server,
        String http,
        String tree,
        String kernel,
        String initrd,
        String kernelUrl,
        String initrdUrl,
        String grubKernel,
        String grubInitrd,
        String kernelArgs,
        String nodeUrl,
        String answerFileUrl) {

    public boolean localBoot() {
        return env.localBoot();
    }

    /**
     * The DHCP boot answer: a boot file (TFTP path) or URL, the next server, and the vendor class to send back.
     * Only UEFI HTTP boot needs one ({@code HTTPClient}); a full DHCP answer to a PXE client carries none,
     * because OVMF takes {@code PXEClient} without option 43 as a cue to ask a boot server on port 4011 first
     * (doc/firmware-matrix.md).
     *
     * @param firmware the loader family chosen; {@code UNKNOWN} when the client runs iPXE already
     * @param ipxeScript true when the file is the node's iPXE script (the client runs iPXE)
     */
    public record Loader(
            Firmware firmware, String file, Ipv4Address nextServer, Optional<String> vendorClass, boolean ipxeScript) {}
}
