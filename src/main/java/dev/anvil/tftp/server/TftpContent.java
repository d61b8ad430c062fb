package dev.anvil.tftp.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What a transfer sends: a file mapped into memory (shared by every transfer of it, read from the page
 * cache without copies) or bytes rendered for this request.
 */
public final class TftpContent {
    private final ByteBuf data;

    private TftpContent(ByteBuf data) {
        this.data = data;
    }

    /** Wraps a buffer this content now owns (one reference). */
    static TftpContent of(ByteBuf owned) {
        return new TftpContent(owned);
    }

    public static TftpContent of(byte[] bytes) {
        return new TftpContent(Unpooled.wrappedBuffer(bytes));
    }

    public long size() {
        return data.readableBytes();
    }

    /** A retained slice: the caller's packet releases it after sending. */
    ByteBuf slice(long offset, int length) {
        return data.retainedSlice(data.readerIndex() + (int) offset, length);
    }

    /** The bytes as a buffer of their own (position 0, the whole content), for reading without a copy. */
    java.nio.ByteBuffer nio() {
        return data.nioBuffer();
    }

    /** Another reference to the same bytes (the file cache hands one to each transfer). */
    TftpContent retain() {
        data.retain();
        return this;
    }

    /** References held (0: released, the mapping may go). */
    int refCnt() {
        return data.refCnt();
    }

    /** Drops this transfer's reference. */
    void release() {
        data.release();
    }

    byte[] bytes() {
        byte[] b = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), b);
        return b;
    }
}
