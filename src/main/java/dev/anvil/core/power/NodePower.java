package dev.anvil.core.power;

import dev.anvil.core.node.Node;

/**
 * What the lifecycle asks of a node's BMC (doc/power.md#the-lifecycle): the durable tasks call it, so a restart
 * resumes them. Every method fails with a {@link PowerException} of a clear kind; a node without a BMC is one of
 * kind {@link PowerException.Kind#UNSUPPORTED}.
 */
public interface NodePower {
    /** No node has a BMC: every node is rebooted over SSH. */
    NodePower NONE = new NodePower() {
        @Override
        public boolean hasBmc(Node node) {
            return false;
        }

        @Override
        public String netboot(Node node) {
            throw none(node);
        }

        @Override
        public String powerOff(Node node) {
            throw none(node);
        }

        @Override
        public PowerReading poll(Node node) {
            throw none(node);
        }

        private PowerException none(Node node) {
            return new PowerException(PowerException.Kind.UNSUPPORTED, "node " + node.name() + " has no BMC");
        }
    };

    /** The node has a BMC: the lifecycle (re)boots it through it, not over SSH. */
    boolean hasBmc(Node node);

    /**
     * Next boot from the network, once; then a power cycle when the machine is on, power on when it is off. The
     * answer says what was done, for the task's log ({@code next boot pxe (once); was on: cycle; now on}).
     */
    String netboot(Node node);

    /** Power off at once (hard); the answer says what was done. */
    String powerOff(Node node);

    /**
     * Asks the BMC the power state and records it on the node; a BMC that does not answer is a reading with the
     * error, not an exception.
     */
    PowerReading poll(Node node);
}
