/**
 * The zones and the answers, without sockets: {@link dev.anvil.dns.policy.LiveZones} (O(1) per node change), the
 * responder on dnsjava, and the answer cache of pre-encoded replies.
 */
package dev.anvil.dns.policy;
