package dev.anvil.tasks;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.Session;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * SSH through JSch with the admin node's own key ({@code <stateDir>/ssh/id_rsa}, RSA 3072, made on first
 * start and used with the rsa-sha2-256/512 signatures current OpenSSH servers accept;
 * the answer files put its public half in root's authorized_keys). Host keys are not pinned: a node's
 * key changes with every reinstall, and the node is identified by the address Anvil itself gave it.
 */
public final class JschShell implements NodeShell {
  private final Path privateKey;
  private final String user;
  private final int port;
  private final Duration connectTimeout;
  private final Function<Node, Optional<String>> hostOf;

  public JschShell(Path privateKey, String user, int port, Duration connectTimeout,
      Function<Node, Optional<String>> hostOf) {
    this.privateKey = privateKey;
    this.user = user;
    this.port = port;
    this.connectTimeout = connectTimeout;
    this.hostOf = hostOf;
  }

  /** The node's first IPv4 address. */
  public static Optional<String> firstAddress(Node node) {
    return node.addresses().stream().findFirst().map(NodeAddress::ipv4).map(Object::toString);
  }

  /** The node's address on the admin network, else its first one. */
  public static Function<Node, Optional<String>> addressOn(String adminNetwork) {
    return node -> node.addressOn(adminNetwork).map(NodeAddress::ipv4).map(Object::toString)
        .or(() -> firstAddress(node));
  }

  /** The private key's file name in the key directory; the public key is beside it with ".pub". */
  public static final String KEY_FILE = "id_rsa";

  /** Makes the admin key pair unless it exists; returns the private key's path. */
  public static Path ensureKey(Path dir) throws IOException {
    Path key = dir.resolve(KEY_FILE);
    Path pub = dir.resolve(KEY_FILE + ".pub");
    if (Files.isRegularFile(key) && Files.isRegularFile(pub)) {
      return key;
    }
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    try {
      KeyPair kp = KeyPair.genKeyPair(new JSch(), KeyPair.RSA, 3072);
      Path tmp = dir.resolve(KEY_FILE + ".tmp");
      kp.writePrivateKey(tmp.toString());
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      kp.writePublicKey(pub.toString(), "anvil-admin");
      Files.move(tmp, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      kp.dispose();
    } catch (JSchException e) {
      throw new IOException("cannot make the admin SSH key: " + e.getMessage(), e);
    }
    return key;
  }

  private Session open(Node node) throws JSchException, IOException {
    String host = hostOf.apply(node).orElseThrow(() -> new IOException("node " + node.name() + " has no address"));
    JSch jsch = new JSch();
    jsch.addIdentity(privateKey.toString());
    Session s = jsch.getSession(user, host, port);
    s.setConfig("StrictHostKeyChecking", "no");
    s.setConfig("PreferredAuthentications", "publickey");
    s.connect((int) connectTimeout.toMillis());
    return s;
  }

  @Override
  public boolean login(Node node) {
    try {
      Session s = open(node);
      s.disconnect();
      return true;
    } catch (JSchException | IOException e) {
      return false;
    }
  }

  @Override
  public Result run(Node node, String command, Optional<String> stdin, Duration timeout) throws IOException {
    Session s;
    try {
      s = open(node);
    } catch (JSchException e) {
      throw new IOException("ssh " + user + "@" + node.name() + ": " + e.getMessage(), e);
    }
    try {
      ChannelExec ch = (ChannelExec) s.openChannel("exec");
      ch.setCommand(command);
      ch.setInputStream(stdin.map(t -> (InputStream) new ByteArrayInputStream(t.getBytes(StandardCharsets.UTF_8)))
          .orElse(new ByteArrayInputStream(new byte[0])));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ch.setOutputStream(out);
      ch.setErrStream(out);
      ch.connect((int) connectTimeout.toMillis());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!ch.isClosed()) {
        if (System.nanoTime() > deadline) {
          ch.disconnect();
          throw new IOException("timed out after " + timeout.toSeconds() + " s: " + command);
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }
      int code = ch.getExitStatus();
      ch.disconnect();
      return new Result(code, out.toString(StandardCharsets.UTF_8));
    } catch (JSchException e) {
      throw new IOException("ssh " + node.name() + ": " + e.getMessage(), e);
    } finally {
      s.disconnect();
    }
  }
}
