package dev.anvil.store;

import dev.anvil.core.net.Network;
import java.util.List;
import java.util.Optional;

/** The networks nodes get addresses on. */
public interface NetworkStore {
    List<Network> list();

    Optional<Network> get(String name);

    /** Adds a network; {@link dev.anvil.core.ConflictException} if its name or id is taken. */
    void create(Network network);

    /**
     * Creates the network or replaces its definition. Refuses ({@link dev.anvil.core.ConflictException})
     * when an address held by a node would no longer be reservable under the new definition.
     */
    void put(Network network);

    /** Removes a network no node uses; {@link dev.anvil.core.ConflictException} when one does. */
    void delete(String name);

    /** How many nodes hold an address on the network. */
    int countNodes(String name);
}
