package dev.anvil.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code anvil tokens}: list, create (the secret shown once), revoke; admin tokens only. */
@Command(
        name = "tokens",
        description = "API tokens: list, create, revoke (needs an admin token).",
        subcommands = {TokensCommand.ListTokens.class, TokensCommand.Create.class, TokensCommand.Revoke.class})
final class TokensCommand extends Group {

    @Command(name = "list", description = "Every token (never a secret).")
    static final class ListTokens extends Cmd implements Callable<Integer> {
        @Override
        public Integer call() {
            emit(api().get("/api/v1/tokens"), tokens -> {
                Table t = new Table("id", "name", "role", "created");
                tokens.forEach(
                        k -> t.row(k.path("id"), k.path("name"), k.path("role"), Table.when(k.path("createdAt"))));
                return t.render();
            });
            return 0;
        }
    }

    @Command(name = "create", description = "Creates a token; its secret is shown this once.")
    static final class Create extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "1 to 64 letters, digits, '.', '_', '-'; unique.")
        String name;

        @Option(
                names = "--role",
                paramLabel = "ROLE",
                defaultValue = "read-only",
                description = "admin or read-only (default).")
        String role;

        @Override
        public Integer call() {
            emit(api().post("/api/v1/tokens", body().put("name", name).put("role", role)), t -> {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", t.path("id"));
                f.put("name", t.path("name"));
                f.put("role", t.path("role"));
                f.put("created", Table.when(t.path("createdAt")));
                f.put("token", t.path("token"));
                return Table.fields(f) + "(the token is shown only this once)\n";
            });
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revokes a token: refused from now on.")
    static final class Revoke extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The token's id (anvil tokens list).")
        long id;

        @Override
        public Integer call() {
            api().delete("/api/v1/tokens/" + id);
            if (!json()) {
                out().println("revoked token " + id);
            }
            return 0;
        }
    }
}
