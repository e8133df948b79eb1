package io.quiverdb.wire;

import io.quiverdb.wire.spi.Session;
import io.quiverdb.wire.spi.SessionFactory;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL v3 frontend: a Netty server whose connections each run a {@link PgConnection}.
 * Statements run on the connection's event loop (they are short, and it keeps a connection's
 * messages strictly ordered without locks); a long statement therefore delays the other
 * connections of that loop, which is the price of this simple model until statements move to
 * their own executor.
 */
public final class PgServer implements AutoCloseable {
  private final WireConfig config;
  private final SessionFactory factory;
  private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger nextPid = new AtomicInteger(1000);
  private final SecureRandom random = new SecureRandom();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel listener;

  public PgServer(WireConfig config, SessionFactory factory) {
    this.config = config;
    this.factory = factory;
  }

  /** Binds the listening socket. */
  public PgServer start() {
    boss = new NioEventLoopGroup(1);
    workers = new NioEventLoopGroup(config.workerThreads());
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 512)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            channels.add(ch);
            ch.pipeline().addLast(new PgDecoder(), new PgConnection(PgServer.this));
          }
        });
    try {
      listener = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while binding", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  /** The port actually bound. */
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  SessionFactory factory() {
    return factory;
  }

  /** Registers a session for CancelRequest; returns its (process id, secret key). */
  int[] register(Session session) {
    int pid = nextPid.incrementAndGet();
    int secret = random.nextInt();
    sessions.put((long) pid << 32 | (secret & 0xFFFFFFFFL), session);
    return new int[] {pid, secret};
  }

  void forget(long key) {
    sessions.remove(key);
  }

  void cancel(int pid, int secret) {
    Session s = sessions.get((long) pid << 32 | (secret & 0xFFFFFFFFL));
    if (s != null) {
      s.cancel();
    }
  }

  /** Stops listening and closes every connection. Idempotent. */
  @Override
  public void close() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
      listener = null;
    }
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      boss = null;
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      workers = null;
    }
  }
}
