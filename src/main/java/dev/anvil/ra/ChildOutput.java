package dev.anvil.ra;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * A child process's output, line by line, bounded: a line is cut at {@link #MAX_LINE} characters (the rest up to
 * its newline is skipped), at most {@link #BURST} lines per minute are handed on (then one line saying how many
 * were kept quiet), and the last {@link #KEEP} lines are kept for an error message. Read on a thread of its own
 * until end of stream.
 */
final class ChildOutput implements Runnable {
    static final int MAX_LINE = 500;
    static final int BURST = 60;
    static final int KEEP = 5;
    private static final long MINUTE = 60_000_000_000L;

    private final InputStream in;
    private final Consumer<String> sink;
    private final ArrayDeque<String> last = new ArrayDeque<>();
    private long windowStart = System.nanoTime();
    private int inWindow;
    private long quiet;

    ChildOutput(InputStream in, Consumer<String> sink) {
        this.in = in;
        this.sink = sink;
    }

    @Override
    public void run() {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            boolean cut = false;
            for (int c; (c = r.read()) >= 0; ) {
                if (c == '\n') {
                    line(line.toString());
                    line.setLength(0);
                    cut = false;
                } else if (line.length() < MAX_LINE) {
                    line.append((char) c);
                } else if (!cut) {
                    line.append(" [cut]");
                    cut = true;
                }
            }
            if (line.length() > 0) {
                line(line.toString());
            }
        } catch (IOException e) {
            // the process ended and its pipe with it
        }
    }

    private void line(String s) {
        long now = System.nanoTime();
        synchronized (this) {
            last.addLast(s);
            if (last.size() > KEEP) {
                last.removeFirst();
            }
            if (now - windowStart > MINUTE) {
                if (quiet > 0) {
                    sink.accept("(" + quiet + " more lines kept quiet in the last minute)");
                }
                windowStart = now;
                inWindow = 0;
                quiet = 0;
            }
            if (++inWindow > BURST) {
                quiet++;
                return;
            }
        }
        sink.accept(s);
    }

    /** The last lines read, oldest first. */
    synchronized List<String> last() {
        return List.copyOf(last);
    }
}
