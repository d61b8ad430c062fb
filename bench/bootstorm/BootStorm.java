import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Boot-storm load client: N simulated machines power on at the same instant and each does what a BIOS
 * PXE machine chain-loading iPXE does, over the wire:
 *
 * <ol>
 *   <li>{@code dhcp}: DISCOVER/OFFER/REQUEST/ACK as PXE firmware (option 93 = 0, vendor class
 *       "PXEClient:Arch:00000:UNDI:002001", options 94 and 97), through one relay socket (giaddr = the local
 *       address, replies come back to giaddr:67), so any number of MACs share one client address;
 *   <li>{@code tftp}: the boot file named by the ACK (file field or option 67), read with tsize, blksize and
 *       (when asked for) windowsize negotiation;
 *   <li>{@code ipxe}: DHCP again as iPXE (user class "iPXE", option 175 requested), then an HTTP GET of the
 *       script URL the ACK names;
 *   <li>{@code http}: the kernel and initrd the script names ({@code kernel URL ...}, {@code initrd ... URL}), on
 *       the same keep-alive connection, lengths checked;
 *   <li>{@code register}: {@code POST <anvil.api>/discover} with the machine's inventory ({@code anvil.api=} from
 *       the kernel line), 200 or 201 expected; 429 and 503 are retried after their Retry-After.
 * </ol>
 *
 * <p>Losses are handled as firmware does: DHCP retransmits after 4, 8, 16, 32 s (PXE spec), TFTP after
 * {@code --tftp-timeout-ms}; each HTTP connection's receive buffer is the kernel's autotuned one, or fixed at
 * {@code --rcvbuf-kb} (256 models iPXE, whose TCP window is at most 256 KiB); an HTTP read that gets no byte for
 * 30 s fails the machine (a stalled download);
 * every retransmission, restart and refusal is counted by phase. A machine not done by
 * {@code --deadline-s} is failed. Prints one {@code STORM key=value ...} line and writes each machine's
 * completion time (seconds after power-on) to {@code --times}.
 *
 * <p>Not a unit of the daemon: compiled and run by {@code bench/bootstorm.sh} with plain javac.
 */
public final class BootStorm {
    static final String[] PHASES = {"dhcp", "tftp", "ipxe", "http", "register"};

    final InetAddress server;
    final InetAddress local;
    final int dhcpPort;
    final int tftpPort;
    final int n;
    final int blksize;
    final int rcvbufBytes;
    final int windowsize;
    final int tftpTimeoutMs;
    final int dhcpRetryMs;
    final long deadlineNanos;
    final int macBase;
    final long jitterMs;

    final DatagramChannel relay;
    final Map<Integer, BlockingQueue<ByteBuffer>> waiting = new ConcurrentHashMap<>();
    final AtomicLongArray retries = new AtomicLongArray(PHASES.length);
    final AtomicLongArray failures = new AtomicLongArray(PHASES.length);
    final AtomicLong httpBytes = new AtomicLong();
    final long[][] phaseNanos;
    final long[] doneNanos;
    final String[] errors;
    volatile long t0;

    BootStorm(Map<String, String> a) throws IOException {
        server = InetAddress.getByName(a.getOrDefault("server", "10.99.0.1"));
        local = InetAddress.getByName(a.getOrDefault("local", "10.99.0.2"));
        dhcpPort = Integer.parseInt(a.getOrDefault("dhcp-port", "67"));
        tftpPort = Integer.parseInt(a.getOrDefault("tftp-port", "69"));
        n = Integer.parseInt(a.getOrDefault("n", "1000"));
        blksize = Integer.parseInt(a.getOrDefault("blksize", "1456"));
        rcvbufBytes = Integer.parseInt(a.getOrDefault("rcvbuf-kb", "0")) * 1024;
        windowsize = Integer.parseInt(a.getOrDefault("windowsize", "1"));
        tftpTimeoutMs = Integer.parseInt(a.getOrDefault("tftp-timeout-ms", "1000"));
        dhcpRetryMs = Integer.parseInt(a.getOrDefault("dhcp-retry-ms", "4000"));
        deadlineNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(a.getOrDefault("deadline-s", "300")));
        macBase = Integer.parseInt(a.getOrDefault("mac-base", "0"));
        jitterMs = Long.parseLong(a.getOrDefault("jitter-ms", "0"));
        phaseNanos = new long[PHASES.length][n];
        doneNanos = new long[n];
        errors = new String[n];
        relay = DatagramChannel.open();
        relay.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        relay.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        relay.bind(new InetSocketAddress(local, dhcpPort));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new ConcurrentHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (!s.startsWith("--") || eq < 0) {
                System.err.println("usage: BootStorm --n=1000 --server=10.99.0.1 --local=10.99.0.2 [--dhcp-port=67]"
                        + " [--tftp-port=69] [--blksize=1456] [--windowsize=1] [--rcvbuf-kb=0] [--deadline-s=300]"
                        + " [--times=FILE]");
                System.exit(2);
            }
            a.put(s.substring(2, eq), s.substring(eq + 1));
        }
        new BootStorm(a).run(a.get("times"));
    }

    void run(String timesFile) throws Exception {
        Thread receiver = new Thread(this::receive, "relay-receiver");
        receiver.setDaemon(true);
        receiver.start();
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> machines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            Thread t = new Thread(null, () -> {
                ready.countDown();
                try {
                    go.await();
                    machine(id);
                } catch (Exception e) {
                    if (errors[id] == null) {
                        errors[id] = e.toString();
                    }
                }
            }, "machine-" + i, 256 * 1024);
            t.setDaemon(true);
            machines.add(t);
            t.start();
        }
        ready.await();
        t0 = System.nanoTime();
        go.countDown();
        for (Thread t : machines) {
            long left = t0 + deadlineNanos + TimeUnit.SECONDS.toNanos(5) - System.nanoTime();
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        report(timesFile);
        System.exit(0);
    }

    // ---- one machine ----

    void machine(int id) throws Exception {
        if (jitterMs > 0) {
            Thread.sleep((long) (Math.random() * jitterMs));
        }
        byte[] mac = {0x02, 0x42, (byte) ((id + macBase) >> 24), (byte) ((id + macBase) >> 16),
                (byte) ((id + macBase) >> 8), (byte) (id + macBase)};
        long start = t0;
        int phase = 0;
        try {
            Lease pxe = dhcp(id, mac, false);
            phaseNanos[0][id] = System.nanoTime() - start;
            start = System.nanoTime();
            phase = 1;
            tftp(id, pxe.bootFile);
            phaseNanos[1][id] = System.nanoTime() - start;
            start = System.nanoTime();
            phase = 2;
            Lease ipxe = dhcp(id, mac, true);
            URI scriptUri = URI.create(ipxe.bootFile);
            try (Http http = new Http(scriptUri)) {
                String script = new String(http.get(scriptUri.getRawPath()), StandardCharsets.UTF_8);
                phaseNanos[2][id] = System.nanoTime() - start;
                start = System.nanoTime();
                phase = 3;
                String kernel = null;
                String initrd = null;
                String api = null;
                for (String line : script.split("\n")) {
                    String[] w = line.trim().split("\\s+");
                    if (w[0].equals("kernel") && w.length > 1) {
                        kernel = w[1];
                        for (String arg : w) {
                            if (arg.startsWith("anvil.api=")) {
                                api = arg.substring("anvil.api=".length());
                            }
                        }
                    } else if (w[0].equals("initrd") && w.length > 1) {
                        initrd = w[w.length - 1];
                    }
                }
                if (kernel == null || initrd == null || api == null) {
                    throw new IOException("script names no kernel, initrd or anvil.api: " + script);
                }
                http.fetch(URI.create(kernel));
                http.fetch(URI.create(initrd));
                phaseNanos[3][id] = System.nanoTime() - start;
                start = System.nanoTime();
                phase = 4;
                register(http, URI.create(api + "/discover"), mac);
                phaseNanos[4][id] = System.nanoTime() - start;
            }
            doneNanos[id] = System.nanoTime() - t0;
        } catch (Exception e) {
            failures.incrementAndGet(phase);
            errors[id] = PHASES[phase] + ": " + e;
        }
    }

    record Lease(InetAddress address, String bootFile) {}

    // ---- DHCP through the relay socket ----

    void receive() {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (true) {
            try {
                buf.clear();
                relay.receive(buf);
                buf.flip();
                if (buf.remaining() < 240 || buf.get(0) != 2) {
                    continue;
                }
                BlockingQueue<ByteBuffer> q = waiting.get(buf.getInt(4));
                if (q != null) {
                    ByteBuffer copy = ByteBuffer.allocate(buf.remaining());
                    copy.put(buf).flip();
                    q.offer(copy);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    Lease dhcp(int id, byte[] mac, boolean ipxe) throws Exception {
        int xid = (ipxe ? 0x40000000 : 0) | (id + macBase) & 0x3fffffff;
        BlockingQueue<ByteBuffer> q = new ArrayBlockingQueue<>(16);
        waiting.put(xid, q);
        try {
            int phase = ipxe ? 2 : 0;
            ByteBuffer offer = exchange(q, build(xid, mac, 1, ipxe, null, null), 2, phase);
            InetAddress yiaddr = addr(offer, 16);
            byte[] serverId = option(offer, 54);
            ByteBuffer ack = exchange(q, build(xid, mac, 3, ipxe, yiaddr, serverId), 5, phase);
            byte[] file67 = option(ack, 67);
            String file = file67 != null ? cstring(file67, 0, file67.length) : cstring(ack.array(), 108, 128);
            if (file.isEmpty()) {
                throw new IOException("the ACK names no boot file");
            }
            return new Lease(addr(ack, 16), file);
        } finally {
            waiting.remove(xid);
        }
    }

    ByteBuffer exchange(BlockingQueue<ByteBuffer> q, ByteBuffer packet, int want, int phase) throws Exception {
        long wait = dhcpRetryMs;
        while (true) {
            relay.send(packet.duplicate(), new InetSocketAddress(server, dhcpPort));
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
            while (true) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                ByteBuffer r = q.poll(left, TimeUnit.NANOSECONDS);
                if (r == null) {
                    break;
                }
                byte[] type = option(r, 53);
                if (type != null && type[0] == 6) {
                    throw new IOException("DHCPNAK");
                }
                if (type != null && type[0] == want) {
                    return r;
                }
            }
            checkDeadline();
            retries.incrementAndGet(phase);
            wait = Math.min(wait * 2, 32_000);
        }
    }

    ByteBuffer build(int xid, byte[] mac, int type, boolean ipxe, InetAddress requested, byte[] serverId) {
        ByteBuffer b = ByteBuffer.allocate(548);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 1); // op, htype, hlen, hops (one relay)
        b.putInt(xid).putShort((short) 0).putShort((short) 0x8000); // secs, broadcast flag as PXE ROMs set it
        b.position(24).put(local.getAddress()); // giaddr
        b.put(mac);
        b.position(236).putInt(0x63825363);
        b.put((byte) 53).put((byte) 1).put((byte) type);
        if (requested != null) {
            b.put((byte) 50).put((byte) 4).put(requested.getAddress());
        }
        if (serverId != null) {
            b.put((byte) 54).put((byte) serverId.length).put(serverId);
        }
        b.put((byte) 57).put((byte) 2).putShort((short) 1260);
        b.put((byte) 93).put((byte) 2).putShort((short) 0); // BIOS
        b.put((byte) 94).put((byte) 3).put((byte) 1).put((byte) 2).put((byte) 1); // UNDI 2.1
        b.put((byte) 97).put((byte) 17).put((byte) 0).put(mac).put(new byte[10]); // UUID
        byte[] vendor = "PXEClient:Arch:00000:UNDI:002001".getBytes(StandardCharsets.US_ASCII);
        b.put((byte) 60).put((byte) vendor.length).put(vendor);
        if (ipxe) {
            b.put((byte) 77).put((byte) 4).put("iPXE".getBytes(StandardCharsets.US_ASCII));
            b.put((byte) 55).put((byte) 14)
                    .put(new byte[] {1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, (byte) 175, (byte) 203});
        } else {
            b.put((byte) 55).put((byte) 11).put(new byte[] {1, 2, 3, 5, 6, 12, 13, 43, 60, 66, 67});
        }
        b.put((byte) 255);
        b.flip();
        return b;
    }

    static byte[] option(ByteBuffer p, int code) {
        int i = 240;
        while (i < p.limit()) {
            int c = p.get(i) & 0xff;
            if (c == 255) {
                break;
            }
            if (c == 0) {
                i++;
                continue;
            }
            int len = p.get(i + 1) & 0xff;
            if (c == code) {
                byte[] v = new byte[len];
                p.get(i + 2, v);
                return v;
            }
            i += 2 + len;
        }
        return null;
    }

    static InetAddress addr(ByteBuffer p, int at) throws IOException {
        byte[] a = new byte[4];
        p.get(at, a);
        return InetAddress.getByAddress(a);
    }

    static String cstring(byte[] b, int from, int len) {
        int end = from;
        while (end < from + len && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.US_ASCII);
    }

    void checkDeadline() throws IOException {
        if (System.nanoTime() - t0 > deadlineNanos) {
            throw new IOException("deadline passed");
        }
    }

    // ---- TFTP ----

    void tftp(int id, String file) throws Exception {
        while (true) {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.bind(new InetSocketAddress(local, 0));
                ch.socket().setSoTimeout(tftpTimeoutMs);
                if (tftpOnce(ch, file)) {
                    return;
                }
            }
            checkDeadline();
            retries.incrementAndGet(1);
            Thread.sleep(1000); // a refused or abandoned transfer: the firmware starts over
        }
    }

    /** One read of the file; false when the server refused or stopped (the caller starts over). */
    boolean tftpOnce(DatagramChannel ch, String file) throws Exception {
        ByteArrayOutputStream rrq = new ByteArrayOutputStream();
        rrq.write(0);
        rrq.write(1);
        for (String s : windowsize > 1
                ? new String[] {file, "octet", "tsize", "0", "blksize", "" + blksize, "windowsize", "" + windowsize}
                : new String[] {file, "octet", "tsize", "0", "blksize", "" + blksize}) {
            rrq.write(s.getBytes(StandardCharsets.US_ASCII));
            rrq.write(0);
        }
        ByteBuffer request = ByteBuffer.wrap(rrq.toByteArray());
        java.net.DatagramSocket sock = ch.socket();
        byte[] in = new byte[65536];
        java.net.DatagramPacket pkt = new java.net.DatagramPacket(in, in.length);
        InetSocketAddress peer = null;
        int blk = 512;
        int win = 1;
        int expected = 1; // next block wanted (unwrapped)
        int sinceAck = 0;
        long tsize = -1;
        long got = 0;
        ByteBuffer lastSent = request;
        InetSocketAddress lastTo = new InetSocketAddress(server, tftpPort);
        sock.send(new java.net.DatagramPacket(request.array(), request.limit(), lastTo));
        int timeouts = 0;
        while (true) {
            try {
                pkt.setLength(in.length);
                sock.receive(pkt);
            } catch (SocketTimeoutException e) {
                checkDeadline();
                if (++timeouts > 6) {
                    return false;
                }
                retries.incrementAndGet(1);
                sock.send(new java.net.DatagramPacket(lastSent.array(), lastSent.limit(), lastTo));
                continue;
            }
            InetSocketAddress from = (InetSocketAddress) pkt.getSocketAddress();
            if (peer == null) {
                peer = from;
            } else if (!peer.equals(from)) {
                continue;
            }
            int op = ((in[0] & 0xff) << 8) | (in[1] & 0xff);
            if (op == 5) {
                return false;
            }
            if (op == 6 && expected == 1 && got == 0) { // OACK
                String[] kv = new String(in, 2, pkt.getLength() - 2, StandardCharsets.US_ASCII).split("\0");
                for (int i = 0; i + 1 < kv.length; i += 2) {
                    switch (kv[i].toLowerCase(Locale.ROOT)) {
                        case "blksize" -> blk = Integer.parseInt(kv[i + 1]);
                        case "windowsize" -> win = Integer.parseInt(kv[i + 1]);
                        case "tsize" -> tsize = Long.parseLong(kv[i + 1]);
                        default -> { }
                    }
                }
                lastSent = ack(0);
                lastTo = peer;
                sock.send(new java.net.DatagramPacket(lastSent.array(), lastSent.limit(), peer));
                continue;
            }
            if (op != 3) {
                continue;
            }
            int block = ((in[2] & 0xff) << 8) | (in[3] & 0xff);
            int len = pkt.getLength() - 4;
            if (block != (expected & 0xffff)) {
                // out of order or a repeat: re-acknowledge what we have so the window restarts there
                lastSent = ack((expected - 1) & 0xffff);
                lastTo = peer;
                sock.send(new java.net.DatagramPacket(lastSent.array(), lastSent.limit(), peer));
                sinceAck = 0;
                continue;
            }
            timeouts = 0;
            got += len;
            expected++;
            sinceAck++;
            boolean last = len < blk;
            if (last || sinceAck >= win) {
                lastSent = ack(block);
                lastTo = peer;
                sock.send(new java.net.DatagramPacket(lastSent.array(), lastSent.limit(), peer));
                sinceAck = 0;
            }
            if (last) {
                if (tsize >= 0 && tsize != got) {
                    throw new IOException("TFTP got " + got + " bytes, tsize said " + tsize);
                }
                return true;
            }
        }
    }

    static ByteBuffer ack(int block) {
        return ByteBuffer.wrap(new byte[] {0, 4, (byte) (block >> 8), (byte) block});
    }

    // ---- HTTP/1.1 on one keep-alive connection ----

    final class Http implements AutoCloseable {
        final String host;
        final int port;
        Socket socket;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[65536];
        int pos;
        int lim;

        Http(URI u) {
            host = u.getHost();
            port = u.getPort() < 0 ? 80 : u.getPort();
        }

        void connect() throws IOException {
            if (socket == null) {
                socket = new Socket();
                if (rcvbufBytes > 0) {
                    // before connect, so that the window scale in the SYN fits it
                    socket.setReceiveBufferSize(rcvbufBytes);
                }
                socket.bind(new InetSocketAddress(local, 0));
                try {
                    socket.connect(new InetSocketAddress(host, port), 10_000);
                } catch (SocketTimeoutException e) {
                    reset();
                    throw new SocketTimeoutException("connect to " + host + ":" + port + ": no answer in 10 s");
                }
                socket.setSoTimeout(30_000);
                in = socket.getInputStream();
                out = socket.getOutputStream();
                pos = lim = 0;
            }
        }

        void reset() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }

        byte[] get(String path) throws IOException {
            Response r = request("GET", path, null, true);
            if (r.status != 200) {
                throw new IOException("GET " + path + ": HTTP " + r.status);
            }
            return r.body;
        }

        void fetch(URI u) throws IOException {
            if (!u.getHost().equals(host) || (u.getPort() < 0 ? 80 : u.getPort()) != port) {
                throw new IOException("a second server in " + u);
            }
            Response r = request("GET", u.getRawPath(), null, false);
            if (r.status != 200) {
                throw new IOException("GET " + u + ": HTTP " + r.status);
            }
        }

        Response request(String method, String path, byte[] body, boolean keep) throws IOException {
            connect();
            StringBuilder h = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                    .append(host).append(':').append(port).append("\r\nUser-Agent: iPXE/1.21.1\r\nConnection: keep-alive\r\n");
            if (body != null) {
                h.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            h.append("\r\n");
            try {
                out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                Response r = new Response();
                String status = line();
                String[] s = status.split(" ");
                if (s.length < 2 || !s[0].startsWith("HTTP/1.")) {
                    throw new IOException("bad status line " + status);
                }
                r.status = Integer.parseInt(s[1]);
                long length = -1;
                boolean chunked = false;
                boolean close = false;
                for (String l = line(); !l.isEmpty(); l = line()) {
                    int c = l.indexOf(':');
                    String k = l.substring(0, c).trim().toLowerCase(Locale.ROOT);
                    String v = l.substring(c + 1).trim();
                    switch (k) {
                        case "content-length" -> length = Long.parseLong(v);
                        case "transfer-encoding" -> chunked = v.toLowerCase(Locale.ROOT).contains("chunked");
                        case "connection" -> close = v.equalsIgnoreCase("close");
                        case "retry-after" -> r.retryAfter = Integer.parseInt(v);
                        default -> { }
                    }
                }
                ByteArrayOutputStream keepBody = keep ? new ByteArrayOutputStream() : null;
                if (chunked) {
                    while (true) {
                        long size = Long.parseLong(line().split(";")[0].trim(), 16);
                        if (size == 0) {
                            while (!line().isEmpty()) {
                                // trailers
                            }
                            break;
                        }
                        body(size, keepBody);
                        line();
                    }
                } else if (length >= 0) {
                    body(length, keepBody);
                } else {
                    throw new IOException("no Content-Length in the answer to " + path);
                }
                if (close) {
                    reset();
                }
                r.body = keep ? keepBody.toByteArray() : null;
                return r;
            } catch (SocketTimeoutException e) {
                reset();
                throw new SocketTimeoutException(method + " " + path + ": no byte for 30 s");
            } catch (IOException e) {
                reset();
                throw e;
            }
        }

        void body(long n, ByteArrayOutputStream keep) throws IOException {
            long left = n;
            while (left > 0) {
                if (pos == lim) {
                    fill();
                }
                int take = (int) Math.min(left, lim - pos);
                if (keep != null) {
                    keep.write(buf, pos, take);
                }
                pos += take;
                left -= take;
            }
            httpBytes.addAndGet(n);
        }

        void fill() throws IOException {
            int r = in.read(buf, 0, buf.length);
            if (r < 0) {
                throw new IOException("connection closed early");
            }
            pos = 0;
            lim = r;
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos == lim) {
                    fill();
                }
                char c = (char) (buf[pos++] & 0xff);
                if (c == '\n') {
                    int l = sb.length();
                    return l > 0 && sb.charAt(l - 1) == '\r' ? sb.substring(0, l - 1) : sb.toString();
                }
                sb.append(c);
            }
        }

        @Override
        public void close() {
            reset();
        }
    }

    static final class Response {
        int status;
        int retryAfter = 1;
        byte[] body;
    }

    void register(Http http, URI api, byte[] macBytes) throws Exception {
        StringBuilder mac = new StringBuilder();
        for (byte b : macBytes) {
            mac.append(mac.length() == 0 ? "" : ":").append(String.format("%02x", b & 0xff));
        }
        byte[] body = ("{\"mac\":\"" + mac + "\",\"macs\":[\"" + mac + "\"],\"dmi\":{\"vendor\":\"Bench\","
                + "\"product\":\"Storm\",\"serial\":\"S" + mac.toString().replace(":", "") + "\"},"
                + "\"cpus\":16,\"memoryMiB\":65536,\"disks\":[{\"name\":\"sda\",\"sizeBytes\":960197124096}]}")
                .getBytes(StandardCharsets.UTF_8);
        while (true) {
            Response r = http.request("POST", api.getRawPath(), body, false);
            if (r.status == 200 || r.status == 201) {
                return;
            }
            if (r.status != 429 && r.status != 503) {
                throw new IOException("POST " + api + ": HTTP " + r.status);
            }
            checkDeadline();
            retries.incrementAndGet(4);
            Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(1, r.retryAfter)));
        }
    }

    // ---- report ----

    void report(String timesFile) throws IOException {
        long[] done = Arrays.stream(doneNanos).filter(x -> x > 0).sorted().toArray();
        StringBuilder s = new StringBuilder("STORM n=").append(n).append(" done=").append(done.length);
        s.append(String.format(Locale.ROOT, " all_s=%s", done.length == n ? secs(done[done.length - 1]) : "fail"));
        s.append(" p50_s=").append(secs(pct(done, 50))).append(" p99_s=").append(secs(pct(done, 99)));
        s.append(" failed=").append(n - done.length);
        for (int p = 0; p < PHASES.length; p++) {
            long[] d = Arrays.stream(phaseNanos[p]).filter(x -> x > 0).sorted().toArray();
            s.append(' ').append(PHASES[p]).append("_p50_s=").append(secs(pct(d, 50)));
            s.append(' ').append(PHASES[p]).append("_p99_s=").append(secs(pct(d, 99)));
        }
        for (int p = 0; p < PHASES.length; p++) {
            s.append(' ').append(PHASES[p]).append("_retries=").append(retries.get(p));
        }
        for (int p = 0; p < PHASES.length; p++) {
            s.append(' ').append(PHASES[p]).append("_failed=").append(failures.get(p));
        }
        s.append(" http_GB=").append(String.format(Locale.ROOT, "%.2f", httpBytes.get() / 1e9));
        System.out.println(s);
        int shown = 0;
        for (int i = 0; i < n && shown < 5; i++) {
            if (errors[i] != null || doneNanos[i] == 0) {
                System.err.println("machine " + i + ": " + (errors[i] == null ? "not done by the deadline" : errors[i]));
                shown++;
            }
        }
        // the three slowest machines, phase by phase: where a straggler lost its time
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(doneNanos[b], doneNanos[a]));
        for (int k = 0; k < Math.min(3, n) && doneNanos[order[k]] > 0; k++) {
            int i = order[k];
            StringBuilder m = new StringBuilder("slowest machine ").append(i).append(": ").append(secs(doneNanos[i]))
                    .append(" s;");
            for (int p = 0; p < PHASES.length; p++) {
                m.append(' ').append(PHASES[p]).append('=').append(secs(phaseNanos[p][i]));
            }
            System.err.println(m);
        }
        if (timesFile != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(timesFile)))) {
                for (long d : done) {
                    w.println(secs(d));
                }
            }
        }
    }

    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static String secs(long nanos) {
        return nanos < 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }
}
