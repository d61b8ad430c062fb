/**
 * IPv6 router advertisements (doc/ipv6.md): {@link dev.anvil.ra.RaPlan} (pure: which links get RAs, with which
 * prefix, RDNSS and DNSSL), {@link dev.anvil.ra.RadvdConf} (pure: radvd.conf text), {@link
 * dev.anvil.ra.HostInterface} (the host's interfaces and addresses), and {@link dev.anvil.ra.RadvdSupervisor} (a
 * service: Debian's radvd as a supervised child process). Imports the core, the config and the lifecycle only; no
 * protocol package imports it, and only the wiring ({@code dev.anvil}) does.
 */
package dev.anvil.ra;
