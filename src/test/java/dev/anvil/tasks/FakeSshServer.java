package dev.anvil.tasks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;

/**
 * A real SSH server (Apache MINA SSHD) in the test JVM standing in for every node: it accepts root with
 * the admin key from an authorized_keys file, runs no command for real but records each one with the
 * node address it was sent to (the local address of the connection, 127.x.y.z), holds it for
 * {@code holdMillis} and answers exit 0 (or {@code exitCode} for commands containing "fail-me").
 */
public final class FakeSshServer implements AutoCloseable {
    public record Exec(String node, String command, String stdin, long startNanos, long endNanos) {}

    public final List<Exec> execs = new CopyOnWriteArrayList<>();
    public final AtomicInteger current = new AtomicInteger();
    public final AtomicInteger peak = new AtomicInteger();
    public final Set<String> busy = ConcurrentHashMap.newKeySet();
    public final AtomicInteger overlaps = new AtomicInteger();
    public final Map<String, AtomicInteger> logins = new ConcurrentHashMap<>();
    public volatile long holdMillis;
    private final SshServer sshd;

    public FakeSshServer(Path authorizedKeys, long holdMillis) throws IOException {
        this.holdMillis = holdMillis;
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("0.0.0.0");
        sshd.setPort(0);
        sshd.setKeyPairProvider(new SimpleGeneratorHostKeyProvider());
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(authorizedKeys) {
            @Override
            public boolean isValidUsername(String username, ServerSession session) {
                return "root".equals(username);
            }

            @Override
            public boolean authenticate(String username, PublicKey key, ServerSession session) {
                boolean ok = super.authenticate(username, key, session);
                if (ok) {
                    logins.computeIfAbsent(node(session), k -> new AtomicInteger())
                            .incrementAndGet();
                }
                return ok;
            }
        });
        sshd.setCommandFactory((channel, command) -> new Recorded(command));
        sshd.start();
    }

    public int port() {
        return sshd.getPort();
    }

    static String node(ServerSession s) {
        return ((InetSocketAddress) s.getIoSession().getLocalAddress())
                .getAddress()
                .getHostAddress();
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    private final class Recorded implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private org.apache.sshd.server.ExitCallback exit;

        Recorded(String command) {
            this.command = unwrap(command);
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            // merged into out by the client
        }

        @Override
        public void setExitCallback(org.apache.sshd.server.ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, org.apache.sshd.server.Environment env) {
            String node = node(channel.getSession());
            Thread t = new Thread(
                    () -> {
                        long t0 = System.nanoTime();
                        int now = current.incrementAndGet();
                        peak.accumulateAndGet(now, Math::max);
                        if (!busy.add(node)) {
                            overlaps.incrementAndGet();
                        }
                        String stdin = "";
                        try {
                            if (command.startsWith("sh -s")) {
                                stdin = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                            }
                            Thread.sleep(holdMillis);
                            out.write(("ran on " + node + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        } catch (IOException | InterruptedException e) {
                            // the client went away
                        } finally {
                            busy.remove(node);
                            current.decrementAndGet();
                            execs.add(new Exec(node, command, stdin, t0, System.nanoTime()));
                            exit.onExit(stdin.contains("fail-me") ? 3 : 0);
                        }
                    },
                    "fake-sshd-cmd");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
            // nothing held
        }
    }

    private static final java.util.regex.Pattern BOUNDED = java.util.regex.Pattern.compile(
            "if command -v timeout >/dev/null 2>&1; then exec timeout -k \\d+ \\d+ sh -c '(.*)'; else exec sh -c '.*'; fi",
            java.util.regex.Pattern.DOTALL);

    /** The command a task meant, from the line JschShell sends (under the remote {@code timeout}). */
    static String unwrap(String sent) {
        java.util.regex.Matcher m = BOUNDED.matcher(sent);
        return m.matches() ? m.group(1).replace("'\\''", "'") : sent;
    }
}
