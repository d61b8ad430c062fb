package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine;

/** What every sub-command shares: the top command's options, client and output. */
abstract class Cmd {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Anvil root() {
        return (Anvil) spec.root().userObject();
    }

    Api api() {
        return root().api();
    }

    boolean json() {
        return root().json();
    }

    PrintWriter out() {
        return root().out();
    }

    void emit(JsonNode node, Function<JsonNode, String> human) {
        root().emit(node, human);
    }

    /** An object node for a request body. */
    com.fasterxml.jackson.databind.node.ObjectNode body() {
        return root().mapper().createObjectNode();
    }
}
