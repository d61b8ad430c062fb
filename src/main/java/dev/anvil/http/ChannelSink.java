package dev.anvil.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link EventSink} on a connection whose response head is out: each send is one HTTP chunk, flushed at once;
 * {@link #pending} counts the chunks netty holds that have not reached the socket yet.
 */
final class ChannelSink implements EventSink {
    private final Channel channel;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();

    ChannelSink(Channel channel) {
        this.channel = channel;
    }

    @Override
    public boolean send(String text) {
        if (!isOpen()) {
            return false;
        }
        pending.incrementAndGet();
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)))
                .addListener(f -> {
                    pending.decrementAndGet();
                    if (!f.isSuccess()) {
                        channel.close();
                    }
                });
        return true;
    }

    @Override
    public int pending() {
        return pending.get();
    }

    @Override
    public void close() {
        if (ended.compareAndSet(false, true) && channel.isActive()) {
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    @Override
    public boolean isOpen() {
        return !ended.get() && channel.isActive();
    }

    @Override
    public void onClose(Runnable action) {
        channel.closeFuture().addListener(f -> action.run());
    }
}
