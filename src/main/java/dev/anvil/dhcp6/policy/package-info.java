/**
 * DHCPv6 policy: the pure decision ({@code Dhcp6Responder}: a client message heard on a link in, a reply or a
 * counted drop out; addresses derived, no table). Imports the core and {@code dhcp6.codec} only.
 */
package dev.anvil.dhcp6.policy;
