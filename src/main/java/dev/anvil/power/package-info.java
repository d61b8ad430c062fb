/**
 * The power drivers (doc/power.md): {@link dev.anvil.power.IpmiTool}, IPMI 2.0 (RMCP+, lanplus) through Debian's
 * {@code ipmitool} as a bounded subprocess, the password in its environment only; {@link
 * dev.anvil.power.IpmitoolOutput}, the pure reading of what it printed and its exit code into a state or a {@link
 * dev.anvil.core.power.PowerException} kind; {@link dev.anvil.power.Redfish}, DMTF Redfish over HTTPS on {@code
 * java.net.http} (every call bounded as a whole), with {@code RedfishJson}, the pure reading and writing of its
 * documents, and {@link dev.anvil.power.RedfishTls}, which certificates a BMC may present (the JDK's trust store,
 * or one pinned certificate); {@link dev.anvil.power.PowerSlots}, the bound on concurrent BMC calls of every
 * driver together. Imports the core only; only the wiring ({@code dev.anvil}) imports it, and the application
 * layer reaches it as a {@link dev.anvil.core.power.PowerDriver}.
 */
package dev.anvil.power;
