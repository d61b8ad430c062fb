package dev.anvil.store.h2;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's redo journal ({@code store.redo}): every write transaction's statements with their parameters,
 * appended with one {@code write(2)} before the transaction commits (and forced to the disk first when the
 * store runs with {@code fsync}). H2's MVStore can lose the last committed chunks on a kill -9 (its recovery
 * does not find a chunk written into reused space; h2database#4247); the journal holds what it lost, and
 * {@link H2Store#open} replays the transactions after the one the database file says it holds.
 *
 * <p>A record: {@code length:int crc32c:int} then the body {@code kind:byte seq:long}, and for a transaction
 * {@code count:int} statements, each {@code sql:string params:int} and per parameter a tag byte and its value.
 * A kind-2 record marks a sequence number aborted (its commit failed after it was journaled). A short or
 * damaged last record (a write torn by a power cut) is cut off on open: it was never acknowledged.
 *
 * <p>Size: over 300 lines because the journal's file format, append, sync, replay reading, torn-tail cut and rotation
 * belong to one file's invariants.
 */
final class RedoLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedoLog.class);
    private static final byte TX = 1;
    private static final byte ABORT = 2;
    /** No record is larger (a transaction of the store is a few KiB); a larger length is damage. */
    static final int MAX_RECORD = 16 << 20;

    /** One executed statement and its parameters (index 1 first). */
    record Stmt(String sql, List<Object> params) {
        Stmt {
            params = Collections.unmodifiableList(new ArrayList<>(params)); // nulls allowed: SQL NULL
        }
    }

    /** One journaled transaction. */
    record Entry(long seq, List<Stmt> statements) {}

    private final Path file;
    private final boolean fsync;
    private FileChannel channel;
    private final Set<Long> aborted = new HashSet<>();
    private long lastSeq;
    private boolean broken;

    private RedoLog(Path file, boolean fsync) {
        this.file = file;
        this.fsync = fsync;
    }

    /** Opens (creating) the journal, cutting off a torn last record. */
    static RedoLog open(Path file, boolean fsync) throws IOException {
        RedoLog r = new RedoLog(file, fsync);
        r.channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long valid = r.scan();
        long size = r.channel.size();
        if (valid < size) {
            log.warn(
                    "store journal {}: cut off {} damaged bytes at offset {} (a write torn by a crash; it was never "
                            + "acknowledged)",
                    file,
                    size - valid,
                    valid);
            r.channel.truncate(valid);
            r.channel.force(true);
        }
        r.channel.position(valid);
        return r;
    }

    Path file() {
        return file;
    }

    /** The highest sequence number the journal holds (0 when empty). */
    long lastSeq() {
        return lastSeq;
    }

    /** True when {@code seq} was journaled and then marked aborted. */
    synchronized boolean aborted(long seq) {
        return aborted.contains(seq);
    }

    long size() throws IOException {
        return channel.size();
    }

    /** Reads every record; returns the offset after the last whole one and notes aborted sequence numbers. */
    private long scan() throws IOException {
        long[] end = {0};
        read(channel, (offset, body) -> {
            ByteBuffer b = ByteBuffer.wrap(body);
            byte kind = b.get();
            long seq = b.getLong();
            if (kind == ABORT) {
                aborted.add(seq);
            }
            lastSeq = Math.max(lastSeq, seq);
            end[0] = offset;
        });
        return end[0];
    }

    /** The journaled transactions in order, without aborted ones, decoded one at a time. */
    synchronized void forEach(EntryConsumer consumer) throws IOException {
        long appendAt = channel.position();
        try {
            read(channel, (offset, body) -> {
                if (body[0] == TX) {
                    Entry e = decode(body);
                    if (!aborted.contains(e.seq())) {
                        consumer.accept(e);
                    }
                }
            });
        } finally {
            channel.position(appendAt);
        }
    }

    interface EntryConsumer {
        void accept(Entry e) throws IOException;
    }

    private interface BodyConsumer {
        void accept(long endOffset, byte[] body) throws IOException;
    }

    /** Calls {@code c} for each whole record from the start; stops at the first short or damaged one. */
    private static void read(FileChannel ch, BodyConsumer c) throws IOException {
        long pos = 0;
        long size = ch.size();
        InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch.position(0)), 1 << 16);
        DataInputStream data = new DataInputStream(in);
        while (size - pos >= 8) {
            int len = data.readInt();
            int crc = data.readInt();
            if (len < 9 || len > MAX_RECORD || size - pos - 8 < len) {
                return;
            }
            byte[] body = data.readNBytes(len);
            CRC32C check = new CRC32C();
            check.update(body);
            if ((int) check.getValue() != crc) {
                return;
            }
            pos += 8 + len;
            c.accept(pos, body);
        }
    }

    /** Appends a transaction; when this returns, a kill -9 (and with fsync, a power cut) keeps it. */
    synchronized void append(long seq, List<Stmt> statements) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(TX);
        out.writeLong(seq);
        out.writeInt(statements.size());
        for (Stmt s : statements) {
            writeString(out, s.sql());
            out.writeInt(s.params().size());
            for (Object p : s.params()) {
                writeValue(out, p);
            }
        }
        write(bytes.toByteArray());
        lastSeq = seq;
    }

    /** Marks {@code seq} aborted: its statements are never replayed. */
    synchronized void abort(long seq) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(9).put(ABORT).putLong(seq);
        write(b.array());
        aborted.add(seq);
    }

    /** Empties the journal: the database file holds everything in it (after a clean close of the database). */
    synchronized void reset() throws IOException {
        channel.truncate(0);
        channel.position(0);
        channel.force(true);
        aborted.clear();
    }

    private void write(byte[] body) throws IOException {
        if (broken) {
            throw new IOException("the store journal " + file + " could not be repaired after a failed write; "
                    + "restart the daemon");
        }
        if (body.length > MAX_RECORD) {
            throw new IOException("a store transaction of " + body.length + " bytes is larger than the journal takes");
        }
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer rec = ByteBuffer.allocate(8 + body.length)
                .putInt(body.length)
                .putInt((int) crc.getValue())
                .put(body)
                .flip();
        long start = channel.position();
        try {
            while (rec.hasRemaining()) {
                channel.write(rec);
            }
            if (fsync) {
                channel.force(false);
            }
        } catch (IOException e) {
            try {
                channel.truncate(start); // no torn record in front of the next one
                channel.position(start);
            } catch (IOException t) {
                broken = true;
                e.addSuppressed(t);
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (fsync) {
            channel.force(true);
        }
        channel.close();
    }

    // ---- values ----

    private static final byte NULL = 0;
    private static final byte LONG = 1;
    private static final byte INT = 2;
    private static final byte STRING = 3;
    private static final byte BOOLEAN = 4;
    private static final byte BYTES = 5;
    private static final byte OFFSET_TIME = 6;
    private static final byte TIMESTAMP = 7;
    private static final byte DOUBLE = 8;
    private static final byte SHORT = 9;

    /** True when {@link #append} can record {@code v} as a parameter. */
    static boolean recordable(Object v) {
        return v == null
                || v instanceof Long
                || v instanceof Integer
                || v instanceof String
                || v instanceof Boolean
                || v instanceof byte[]
                || v instanceof OffsetDateTime
                || v instanceof Timestamp
                || v instanceof Double
                || v instanceof Short;
    }

    private static void writeValue(DataOutputStream out, Object v) throws IOException {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (v instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (v instanceof String s) {
            out.writeByte(STRING);
            writeString(out, s);
        } else if (v instanceof Boolean b) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(b);
        } else if (v instanceof byte[] b) {
            out.writeByte(BYTES);
            out.writeInt(b.length);
            out.write(b);
        } else if (v instanceof OffsetDateTime t) {
            out.writeByte(OFFSET_TIME);
            out.writeLong(t.toEpochSecond());
            out.writeInt(t.getNano());
            out.writeInt(t.getOffset().getTotalSeconds());
        } else if (v instanceof Timestamp t) {
            Instant i = t.toInstant();
            out.writeByte(TIMESTAMP);
            out.writeLong(i.getEpochSecond());
            out.writeInt(i.getNano());
        } else if (v instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (v instanceof Short s) {
            out.writeByte(SHORT);
            out.writeShort(s);
        } else {
            throw new IllegalArgumentException(
                    "the store journal cannot record a " + v.getClass().getName());
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static Entry decode(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        in.readByte();
        long seq = in.readLong();
        int n = count(in);
        List<Stmt> stmts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String sql = readString(in);
            int k = count(in);
            List<Object> params = new ArrayList<>(k);
            for (int j = 0; j < k; j++) {
                params.add(readValue(in));
            }
            stmts.add(new Stmt(sql, params));
        }
        return new Entry(seq, stmts);
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_RECORD) {
            throw new IOException("damaged store journal record: count " + n);
        }
        return n;
    }

    private static Object readValue(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case NULL -> null;
            case LONG -> in.readLong();
            case INT -> in.readInt();
            case STRING -> readString(in);
            case BOOLEAN -> in.readBoolean();
            case BYTES -> in.readNBytes(count(in));
            case OFFSET_TIME -> {
                long s = in.readLong();
                int nano = in.readInt();
                yield OffsetDateTime.ofInstant(Instant.ofEpochSecond(s, nano), ZoneOffset.ofTotalSeconds(in.readInt()));
            }
            case TIMESTAMP -> Timestamp.from(Instant.ofEpochSecond(in.readLong(), in.readInt()));
            case DOUBLE -> in.readDouble();
            case SHORT -> in.readShort();
            default -> throw new IOException("damaged store journal record: value tag " + tag);
        };
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = in.readNBytes(count(in));
        return new String(b, StandardCharsets.UTF_8);
    }
}
