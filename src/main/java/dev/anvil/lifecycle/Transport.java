package dev.anvil.lifecycle;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.concurrent.TimeUnit;

/** The netty transport every listener uses: native epoll where available (Linux), NIO otherwise. */
public record Transport(boolean epoll) {

    public static Transport detect() {
        return new Transport(Epoll.isAvailable());
    }

    public EventLoopGroup group(int threads) {
        return group(threads, DefaultSelectStrategyFactory.INSTANCE);
    }

    /** A group whose loops decide how to wait with {@code strategy} (epoll only; NIO uses the default). */
    public EventLoopGroup group(int threads, SelectStrategyFactory strategy) {
        return new MultiThreadIoEventLoopGroup(
                threads, epoll ? EpollIoHandler.newFactory(0, strategy) : NioIoHandler.newFactory());
    }

    public Class<? extends DatagramChannel> datagram() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    public Class<? extends ServerChannel> server() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** One event loop per core the process may use. */
    public static int cores() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Shuts groups down without a quiet period, waiting a bounded time for each. */
    public static void shutdown(EventExecutorGroup... groups) {
        shutdown(0, groups);
    }

    /**
     * Shuts groups down in order, each after {@code quietMillis} without new tasks (so that work handed between
     * executors, such as a closing pipeline's, finishes first), waiting a bounded time for each.
     */
    public static void shutdown(long quietMillis, EventExecutorGroup... groups) {
        for (EventExecutorGroup g : groups) {
            if (g != null) {
                g.shutdownGracefully(quietMillis, 2000, TimeUnit.MILLISECONDS)
                        .awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Why a listener could not bind, for its start-up error: the exception's message, and when the port is taken,
     * what that means. UDP listeners bind without SO_REUSEADDR/SO_REUSEPORT, so a second daemon on the same port is
     * refused here instead of silently splitting the clients with the first.
     */
    public static String bindFailure(Throwable e) {
        String why = String.valueOf(e.getMessage());
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.BindException
                    || String.valueOf(c.getMessage()).contains("Address already in use")) {
                return why + " (another process, a second anvild perhaps, listens there already)";
            }
        }
        return why;
    }

    @Override
    public String toString() {
        return epoll ? "epoll" : "nio";
    }
}
