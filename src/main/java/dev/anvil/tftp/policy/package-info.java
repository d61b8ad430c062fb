/**
 * TFTP option negotiation (RFC 2347-2349, windowsize 7440) and the read and write transfer state machines, without
 * sockets.
 */
package dev.anvil.tftp.policy;
