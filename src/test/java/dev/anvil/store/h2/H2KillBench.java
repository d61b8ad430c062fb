package dev.anvil.store.h2;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kill test for longer: {@code rounds threads pauseMs maxKillMs [seed]} on a fresh store under
 * {@code java.io.tmpdir}; exits 1 when an acknowledged write was lost. Run by {@code bench/store-durability.sh}.
 */
public final class H2KillBench {
    private H2KillBench() {}

    public static void main(String[] args) throws Exception {
        Path state = Files.createTempDirectory("anvil-kill").resolve("state");
        long seed = args.length > 4 ? Long.parseLong(args[4]) : System.nanoTime();
        H2KillTest.Result r = H2KillTest.run(
                state,
                Integer.parseInt(args[0]),
                Integer.parseInt(args[1]),
                Integer.parseInt(args[2]),
                Integer.parseInt(args[3]),
                seed);
        System.out.println("store: " + state);
        System.exit(r.failures().isEmpty() ? 0 : 1);
    }
}
