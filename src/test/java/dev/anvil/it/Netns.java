package dev.anvil.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pair of private network namespaces joined by a veth pair, with no other interfaces and no routes out:
 * server side {@code vs} in {@link #server}, client side {@code vc} in {@link #client}. Every packet a test
 * sends stays between them.
 */
public final class Netns implements AutoCloseable {
    public final String server;
    public final String client;

    private Netns(String server, String client) {
        this.server = server;
        this.client = client;
    }

    /** True if this process may create namespaces (root with iproute2). */
    public static boolean available() {
        try {
            String ns = "anvprobe" + ProcessHandle.current().pid();
            if (run(List.of("ip", "netns", "add", ns)) != 0) {
                return false;
            }
            run(List.of("ip", "netns", "del", ns));
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    public static Netns create(String serverCidr) throws IOException, InterruptedException {
        String id =
                Long.toString(ProcessHandle.current().pid() % 100000) + Integer.toString((int) (Math.random() * 1000));
        Netns n = new Netns("anvs" + id, "anvc" + id);
        n.must("ip", "netns", "add", n.server);
        n.must("ip", "netns", "add", n.client);
        n.must("ip", "link", "add", "vs", "netns", n.server, "type", "veth", "peer", "name", "vc", "netns", n.client);
        n.must("ip", "-n", n.server, "link", "set", "lo", "up");
        n.must("ip", "-n", n.client, "link", "set", "lo", "up");
        n.must("ip", "-n", n.server, "addr", "add", serverCidr, "dev", "vs");
        n.must("ip", "-n", n.server, "link", "set", "vs", "up");
        n.must("ip", "-n", n.client, "link", "set", "vc", "up");
        return n;
    }

    public List<String> inServer() {
        return List.of("ip", "netns", "exec", server);
    }

    public List<String> inClient() {
        return List.of("ip", "netns", "exec", client);
    }

    /** Runs a command, failing with its output if it exits non-zero. */
    public void must(String... cmd) throws IOException, InterruptedException {
        Result r = exec(List.of(cmd), 60);
        if (r.code != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.code + "): " + r.output);
        }
    }

    public record Result(int code, String output) {}

    public static Result exec(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out: " + new String(out, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public Result inClient(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(inClient());
        full.addAll(List.of(cmd));
        return exec(full, timeoutSeconds);
    }

    public Result inServer(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(inServer());
        full.addAll(List.of(cmd));
        return exec(full, timeoutSeconds);
    }

    /**
     * An admin API call with curl in the server's namespace (where {@code daemon} listens): the status, then the
     * body; fails the test when curl itself fails.
     */
    public Http.Reply api(DaemonProcess daemon, String method, String path, String body) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-w", "\n%{http_code}", "-X", method));
        cmd.addAll(List.of(daemon.auth()));
        if (body != null) {
            cmd.addAll(List.of("-H", "Content-Type: application/json", "--data", body));
        }
        cmd.add(daemon.uri(path).toString());
        Result r = inServer(30, cmd.toArray(String[]::new));
        org.junit.jupiter.api.Assertions.assertEquals(0, r.code(), r.output());
        int nl = r.output().lastIndexOf('\n');
        return new Http.Reply(
                Integer.parseInt(r.output().substring(nl + 1).trim()),
                r.output().substring(0, nl),
                null);
    }

    /** Turns IPv6 duplicate address detection off in both namespaces, so addresses added later are usable at once. */
    public void withoutDad() throws IOException, InterruptedException {
        for (String ns : new String[] {server, client}) {
            must("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0");
            must("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0");
        }
        must("ip", "netns", "exec", server, "sysctl", "-qw", "net.ipv6.conf.vs.accept_dad=0");
        must("ip", "netns", "exec", client, "sysctl", "-qw", "net.ipv6.conf.vc.accept_dad=0");
    }

    /**
     * Waits up to 5 s until the client's {@code dev} has a link-local address out of duplicate address detection
     * (a client cannot send from a tentative one: after the link comes up, or its MAC changed).
     */
    public void awaitClientLinkLocal(String dev) throws IOException, InterruptedException {
        for (int i = 0; i < 100; i++) {
            String a = inClient(5, "ip", "-6", "addr", "show", "dev", dev, "scope", "link")
                    .output();
            if (a.contains("fe80::") && !a.contains("tentative")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no link-local address on " + dev + " after 5 s");
    }

    private static int run(List<String> cmd) throws IOException, InterruptedException {
        return exec(cmd, 30).code;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of("ip", "netns", "del", client));
        run(List.of("ip", "netns", "del", server));
    }
}
