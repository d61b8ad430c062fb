package dev.anvil.dhcp.snapshot;

import dev.anvil.config.DhcpConfig;
import dev.anvil.config.HostPort;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.ClientArch.Firmware;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import dev.anvil.dhcp.snapshot.DhcpSnapshot.Reservations;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The snapshot file's bytes. A frame: the magic {@code ANVDHCP1} (8 bytes), the body length (4 bytes, big
 * endian), the body, and the CRC-32C of the body (4 bytes). A file that is shorter or longer than its frame
 * (torn by a crash mid-write, or appended to), whose checksum does not match, or whose body does not decode to
 * exactly its length is refused with a {@link BadSnapshotException}: the daemon then starts without it.
 *
 * <p>Body (DataOutput, big endian; text as modified UTF-8 with a 2-byte length): fingerprint (4-byte length +
 * bytes), state directory, DHCP config (enabled, listen host and port, interfaces, client port, lease time and
 * offer hold (seconds + nanos), boot files (firmware name, text), iPXE script, local boot loader, boot server
 * port, ping check (present + duration), authoritative), HTTP port, boot environments (name, local boot),
 * networks (their config text fields, validated again on decode), nodes (id, name, boot environment, state,
 * MACs, addresses as network name + IPv4).
 *
 * <p>Size: over 300 lines because the snapshot's byte format, written and read, field by field in one place so both
 * sides stay in step.
 */
public final class SnapshotCodec {
    static final byte[] MAGIC = "ANVDHCP1".getBytes(StandardCharsets.US_ASCII);
    /** Frame overhead: magic, length, checksum. */
    static final int FRAME = MAGIC.length + 8;

    private SnapshotCodec() {}

    /** Thrown for a file that is not a whole, intact snapshot of this format. */
    public static final class BadSnapshotException extends Exception {
        private static final long serialVersionUID = 1L;

        BadSnapshotException(String message) {
            super(message);
        }
    }

    public static byte[] encode(DhcpSnapshot s) {
        try {
            ByteArrayOutputStream body =
                    new ByteArrayOutputStream(64 + s.nodes().size() * 48);
            DataOutputStream o = new DataOutputStream(body);
            byte[] fp = s.fingerprint();
            o.writeInt(fp.length);
            o.write(fp);
            o.writeUTF(s.stateDir().toString());
            writeDhcp(o, s.dhcp());
            o.writeInt(s.httpPort());
            o.writeInt(s.bootEnvs().size());
            for (BootEnvironment b : s.bootEnvs()) {
                o.writeUTF(b.name());
                o.writeBoolean(b.localBoot());
            }
            o.writeInt(s.networks().size());
            for (Network n : s.networks()) {
                writeNetwork(o, n);
            }
            // The nodes: a sorted MAC index (MACs, then the offset of each MAC's node record), then the records, so
            // a start reads two arrays and decodes only the nodes DHCP asks for.
            List<Node> nodes = s.nodes().all();
            ByteArrayOutputStream recs = new ByteArrayOutputStream(nodes.size() * 48);
            DataOutputStream r = new DataOutputStream(recs);
            List<long[]> index = new ArrayList<>(); // {mac, offset}
            for (Node n : nodes) {
                int offset = r.size();
                for (MacAddress m : n.macs()) {
                    index.add(new long[] {m.bits(), offset});
                }
                writeNode(r, n);
            }
            r.flush();
            index.sort((x, y) -> Long.compare(x[0], y[0]));
            o.writeInt(nodes.size());
            o.writeInt(index.size());
            for (long[] e : index) {
                o.writeLong(e[0]);
            }
            for (long[] e : index) {
                o.writeInt((int) e[1]);
            }
            o.writeInt(recs.size());
            recs.writeTo(o);
            o.flush();
            byte[] b = body.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(b);
            ByteArrayOutputStream framed = new ByteArrayOutputStream(b.length + FRAME);
            DataOutputStream f = new DataOutputStream(framed);
            f.write(MAGIC);
            f.writeInt(b.length);
            f.write(b);
            f.writeInt((int) crc.getValue());
            f.flush();
            return framed.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
    }

    public static DhcpSnapshot decode(byte[] file) throws BadSnapshotException {
        if (file.length < FRAME) {
            throw new BadSnapshotException("too short (" + file.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (file[i] != MAGIC[i]) {
                throw new BadSnapshotException("not a DHCP snapshot of this format");
            }
        }
        int len = readInt(file, MAGIC.length);
        if (len < 0 || (long) len + FRAME != file.length) {
            throw new BadSnapshotException("torn or extended: " + file.length + " bytes for a body of " + len);
        }
        CRC32C crc = new CRC32C();
        crc.update(file, MAGIC.length + 4, len);
        if ((int) crc.getValue() != readInt(file, MAGIC.length + 4 + len)) {
            throw new BadSnapshotException("checksum mismatch");
        }
        ByteArrayInputStream body = new ByteArrayInputStream(file, MAGIC.length + 4, len);
        DataInputStream in = new DataInputStream(body);
        try {
            int fpLen = in.readInt();
            if (fpLen < 0 || fpLen > len) {
                throw new BadSnapshotException("bad fingerprint length " + fpLen);
            }
            byte[] fp = new byte[fpLen];
            in.readFully(fp);
            Path stateDir = Path.of(in.readUTF());
            DhcpConfig dhcp = readDhcp(in);
            int httpPort = in.readInt();
            int envCount = count(in, len);
            List<BootEnvironment> envs = new ArrayList<>(envCount);
            for (int i = 0; i < envCount; i++) {
                envs.add(DhcpSnapshot.dhcpView(in.readUTF(), in.readBoolean()));
            }
            int netCount = count(in, len);
            List<Network> nets = new ArrayList<>(netCount);
            for (int i = 0; i < netCount; i++) {
                nets.add(readNetwork(in));
            }
            int nodeCount = count(in, len);
            int macCount = count(in, len);
            int at = MAGIC.length + 4 + len - body.available(); // where the MAC index starts in the file
            if ((long) macCount * 12 + 4 > body.available()) {
                throw new BadSnapshotException("MAC index runs past the end");
            }
            long[] macs = new long[macCount];
            int[] offsets = new int[macCount];
            java.nio.ByteBuffer.wrap(file, at, macCount * 8).asLongBuffer().get(macs);
            java.nio.ByteBuffer.wrap(file, at + macCount * 8, macCount * 4)
                    .asIntBuffer()
                    .get(offsets);
            in.skipNBytes(macCount * 12L);
            int recLen = in.readInt();
            int recStart = at + macCount * 12 + 4;
            if (recLen != body.available()) {
                throw new BadSnapshotException("node records are " + body.available() + " bytes, not " + recLen);
            }
            for (int i = 0; i < macCount; i++) {
                if (i > 0 && macs[i - 1] >= macs[i] || offsets[i] < 0 || offsets[i] >= recLen) {
                    throw new BadSnapshotException("bad MAC index at entry " + i);
                }
            }
            Reservations nodes = new Decoded(file, recStart, recLen, nodeCount, macs, offsets);
            return new DhcpSnapshot(fp, stateDir, dhcp, httpPort, envs, nets, nodes);
        } catch (EOFException e) {
            throw new BadSnapshotException("body ends early");
        } catch (IOException | RuntimeException e) {
            throw new BadSnapshotException("cannot decode: " + e.getMessage());
        }
    }

    private static void writeNode(DataOutputStream o, Node n) throws IOException {
        o.writeLong(n.id());
        o.writeUTF(n.name());
        o.writeUTF(n.bootEnv());
        o.writeUTF(n.state().name());
        o.writeInt(n.macs().size());
        for (MacAddress m : n.macs()) {
            o.writeLong(m.bits());
        }
        o.writeInt(n.addresses().size());
        for (NodeAddress a : n.addresses()) {
            o.writeUTF(a.network());
            o.writeInt(a.ipv4().bits());
        }
    }

    private static Node readNode(DataInputStream in) throws IOException {
        long id = in.readLong();
        String name = in.readUTF();
        String bootEnv = in.readUTF();
        NodeState state = NodeState.valueOf(in.readUTF());
        int macCount = in.readInt();
        if (macCount < 0 || macCount > 1024) {
            throw new IOException("bad MAC count " + macCount);
        }
        List<MacAddress> macs = new ArrayList<>(macCount);
        for (int j = 0; j < macCount; j++) {
            macs.add(new MacAddress(in.readLong()));
        }
        int addrCount = in.readInt();
        if (addrCount < 0 || addrCount > 1024) {
            throw new IOException("bad address count " + addrCount);
        }
        List<NodeAddress> addrs = new ArrayList<>(addrCount);
        for (int j = 0; j < addrCount; j++) {
            addrs.add(new NodeAddress(in.readUTF(), new Ipv4Address(in.readInt())));
        }
        return new Node(
                id, name, macs, addrs, bootEnv, Optional.empty(), false, true, state, Instant.EPOCH, Instant.EPOCH);
    }

    /** The nodes of a decoded file: a binary search in the MAC index, then one record decoded. */
    private record Decoded(byte[] file, int start, int length, int count, long[] macs, int[] offsets)
            implements Reservations {
        @Override
        public Optional<Node> byMac(MacAddress mac) {
            int i = java.util.Arrays.binarySearch(macs, mac.bits());
            return i < 0 ? Optional.empty() : Optional.of(at(offsets[i]));
        }

        @Override
        public int size() {
            return count;
        }

        @Override
        public List<Node> all() {
            java.util.TreeMap<Integer, Node> byOffset = new java.util.TreeMap<>();
            for (int i = 0; i < macs.length; i++) {
                if (!byOffset.containsKey(offsets[i])) {
                    byOffset.put(offsets[i], at(offsets[i]));
                }
            }
            List<Node> all = new ArrayList<>(byOffset.values());
            all.sort(java.util.Comparator.comparingLong(
                    n -> n.macs().stream().mapToLong(MacAddress::bits).min().orElse(Long.MAX_VALUE)));
            return List.copyOf(all);
        }

        private Node at(int offset) {
            try {
                return readNode(new DataInputStream(new ByteArrayInputStream(file, start + offset, length - offset)));
            } catch (IOException e) {
                throw new IllegalStateException(
                        "a node record of the DHCP snapshot does not decode: " + e.getMessage(), e);
            }
        }
    }

    private static void writeDhcp(DataOutputStream o, DhcpConfig d) throws IOException {
        o.writeBoolean(d.enabled());
        o.writeUTF(d.listen().host());
        o.writeInt(d.listen().port());
        o.writeInt(d.interfaces().size());
        for (String i : d.interfaces()) {
            o.writeUTF(i);
        }
        o.writeInt(d.clientPort());
        writeDuration(o, d.leaseTime());
        writeDuration(o, d.offerHold());
        o.writeInt(d.bootFiles().size());
        for (Firmware fw : Firmware.values()) { // a fixed order, so equal configs give equal bytes
            String file = d.bootFiles().get(fw);
            if (file != null) {
                o.writeUTF(fw.name());
                o.writeUTF(file);
            }
        }
        o.writeUTF(d.ipxeScript());
        o.writeBoolean(d.localBootLoader());
        o.writeInt(d.bootServerPort());
        o.writeBoolean(d.pingCheck().isPresent());
        if (d.pingCheck().isPresent()) {
            writeDuration(o, d.pingCheck().get());
        }
        o.writeBoolean(d.authoritative());
        o.writeBoolean(d.secureBoot());
        o.writeUTF(d.shimLoader());
    }

    private static DhcpConfig readDhcp(DataInputStream in) throws IOException {
        boolean enabled = in.readBoolean();
        HostPort listen = new HostPort(in.readUTF(), in.readInt());
        int n = in.readInt();
        List<String> interfaces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            interfaces.add(in.readUTF());
        }
        int clientPort = in.readInt();
        Duration leaseTime = readDuration(in);
        Duration offerHold = readDuration(in);
        int files = in.readInt();
        Map<Firmware, String> bootFiles = new EnumMap<>(Firmware.class);
        for (int i = 0; i < files; i++) {
            bootFiles.put(Firmware.valueOf(in.readUTF()), in.readUTF());
        }
        String ipxeScript = in.readUTF();
        boolean localBootLoader = in.readBoolean();
        int bootServerPort = in.readInt();
        Optional<Duration> ping = in.readBoolean() ? Optional.of(readDuration(in)) : Optional.empty();
        boolean authoritative = in.readBoolean();
        boolean secureBoot = in.readBoolean();
        String shimLoader = in.readUTF();
        return new DhcpConfig(
                enabled,
                listen,
                interfaces,
                clientPort,
                leaseTime,
                offerHold,
                bootFiles,
                ipxeScript,
                localBootLoader,
                bootServerPort,
                ping,
                authoritative,
                secureBoot,
                shimLoader);
    }

    private static void writeNetwork(DataOutputStream o, Network n) throws IOException {
        NetworkDraft d = n.toDraft();
        o.writeUTF(d.name());
        o.writeInt(d.id());
        o.writeUTF(d.cidr());
        o.writeUTF(d.staticRange());
        writeOptional(o, d.dhcpPool());
        writeOptional(o, d.router());
        o.writeUTF(d.domain());
        o.writeUTF(d.v6prefix());
        writeOptional(o, d.serverAddress());
        o.writeBoolean(n.proxyDhcp());
    }

    private static Network readNetwork(DataInputStream in) throws IOException {
        String name = in.readUTF();
        int id = in.readInt();
        String cidr = in.readUTF();
        String stat = in.readUTF();
        String pool = readOptional(in);
        String router = readOptional(in);
        String domain = in.readUTF();
        String v6 = in.readUTF();
        String server = readOptional(in);
        boolean proxy = in.readBoolean();
        return new NetworkDraft(name, id, cidr, stat, pool, router, domain, v6, server, proxy ? true : null).validate();
    }

    private static void writeOptional(DataOutputStream o, String s) throws IOException {
        o.writeBoolean(s != null);
        if (s != null) {
            o.writeUTF(s);
        }
    }

    private static String readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeDuration(DataOutputStream o, Duration d) throws IOException {
        o.writeLong(d.getSeconds());
        o.writeInt(d.getNano());
    }

    private static Duration readDuration(DataInputStream in) throws IOException {
        return Duration.ofSeconds(in.readLong(), in.readInt());
    }

    private static int count(DataInputStream in, int bodyLength) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > bodyLength) {
            throw new IOException("bad count " + n);
        }
        return n;
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}
