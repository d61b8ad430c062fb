/**
 * TFTP: {@code codec} (pure), {@code policy} (option negotiation and the transfer state machines), {@code server}
 * (netty, one socket per transfer, the file jail). Never imports another protocol.
 */
package dev.anvil.tftp;
