package dev.anvil.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real daemon, started from the built distribution ({@code target/anvil/bin/anvild}) as a child process. */
public final class DaemonProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("ready: API at (http://\\S+)/api/v1/status");

  private final Process process;
  private final Path log;
  private final URI base;

  private DaemonProcess(Process process, Path log, URI base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  public static Path launcher() {
    Path p = Path.of(System.getProperty("anvil.dist", "target/anvil"), "bin", "anvild");
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(p + " is missing: integration tests run after `mvn package`");
    }
    return p;
  }

  /** Starts anvild with the state dir and listen address given, plus extra flags; waits for its ready line. */
  public static DaemonProcess start(Path stateDir, String listen, String... extra) throws IOException {
    return start(List.of(), stateDir, listen, extra);
  }

  /** As {@link #start(Path, String, String...)}, run behind a command prefix such as {@code ip netns exec NS}. */
  public static DaemonProcess start(List<String> prefix, Path stateDir, String listen, String... extra)
      throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(launcher().toString(), "--state-dir", stateDir.toString(), "--http-listen", listen));
    cmd.addAll(List.of(extra));
    Files.createDirectories(stateDir);
    Path log = Files.createTempFile(stateDir.getParent(), "anvild-", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "anvild-stdout");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line;
      try {
        line = lines.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (line != null) {
        Matcher m = READY.matcher(line);
        if (m.find()) {
          return new DaemonProcess(p, log, URI.create(m.group(1)));
        }
      } else if (!p.isAlive()) {
        break;
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("anvild did not become ready (exit " + (p.isAlive() ? "none" : p.exitValue())
        + "); its log:\n" + Files.readString(log));
  }

  public URI base() {
    return base;
  }

  public URI uri(String path) {
    return base.resolve(path);
  }

  public int port() {
    return base.getPort();
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  /** SIGTERM and wait; returns the exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException("anvild did not stop within 30 s of SIGTERM");
    }
    return process.exitValue();
  }

  /** SIGKILL: the process gets no chance to flush or close anything. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }
}
