package dev.anvil.tftp.server;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one upload goes: a hidden temporary file beside the target, written as blocks arrive and made the
 * target only when the transfer completes (fsync, then a link that fails if the target exists, or a rename
 * over it when overwriting is allowed). A failed or abandoned upload leaves nothing behind, and a reader never
 * sees half a file. In netascii mode CR LF becomes LF and CR NUL becomes CR (RFC 764), across block edges.
 */
final class UploadFile implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UploadFile.class);
    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private final boolean netascii;
    private final long maxBytes;
    private final FileChannel out;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    private long written;
    private boolean pendingCr;
    private boolean done;

    /** The upload is over its size limit. */
    static final class TooLargeException extends IOException {
        TooLargeException(long max) {
            super("file larger than " + max + " bytes");
        }
    }

    private UploadFile(Path target, Path temp, FileChannel out, boolean overwrite, boolean netascii, long maxBytes) {
        this.target = target;
        this.temp = temp;
        this.out = out;
        this.overwrite = overwrite;
        this.netascii = netascii;
        this.maxBytes = maxBytes;
    }

    static UploadFile create(Path target, boolean overwrite, boolean netascii, long maxBytes) throws IOException {
        Path dir = target.getParent();
        for (int i = 0; ; i++) {
            Path temp = dir.resolve("." + target.getFileName() + ".upload-"
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
            try {
                FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new UploadFile(target, temp, ch, overwrite, netascii, maxBytes);
            } catch (FileAlreadyExistsException e) {
                if (i == 10) {
                    throw e;
                }
            }
        }
    }

    Path target() {
        return target;
    }

    /** Bytes of the file so far (after netascii conversion). */
    long size() {
        return written + buffer.position();
    }

    /** Appends a DATA payload. */
    void append(ByteBuf data) throws IOException {
        if (!netascii) {
            if (size() + data.readableBytes() > maxBytes) {
                throw new TooLargeException(maxBytes);
            }
            while (data.isReadable()) {
                int n = Math.min(buffer.remaining(), data.readableBytes());
                ByteBuffer slice = buffer.slice(buffer.position(), n);
                data.readBytes(slice);
                buffer.position(buffer.position() + n);
                if (!buffer.hasRemaining()) {
                    drain();
                }
            }
            return;
        }
        while (data.isReadable()) {
            byte b = data.readByte();
            if (pendingCr) {
                pendingCr = false;
                if (b == '\n') {
                    put((byte) '\n');
                    continue;
                }
                put((byte) '\r');
                if (b == 0) {
                    continue;
                }
            }
            if (b == '\r') {
                pendingCr = true;
            } else {
                put(b);
            }
        }
    }

    private void put(byte b) throws IOException {
        if (size() + 1 > maxBytes) {
            throw new TooLargeException(maxBytes);
        }
        buffer.put(b);
        if (!buffer.hasRemaining()) {
            drain();
        }
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            written += out.write(buffer);
        }
        buffer.clear();
    }

    /**
     * Makes the upload the target: everything written and synced, then linked in place (refused with
     * {@link FileAlreadyExistsException} if the target appeared meanwhile and overwriting is off).
     */
    void commit() throws IOException {
        if (pendingCr) {
            pendingCr = false;
            put((byte) '\r');
        }
        drain();
        out.force(true);
        out.close();
        if (overwrite) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } else {
            try {
                Files.createLink(target, temp);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        done = true;
    }

    /** Discards an unfinished upload. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        try {
            out.close();
        } catch (IOException e) {
            // nothing to keep: the temporary file goes anyway
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            log.warn("tftp: cannot remove the unfinished upload {}: {} (left for the operator)", temp, e.toString());
        }
    }
}
