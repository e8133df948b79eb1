package io.quiverdb.wire;

import io.quiverdb.wire.spi.SessionFactory;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The PostgreSQL v3 frontend: a Netty server whose connections each run a {@link PgConnection}.
 * Event loops decode and queue; statements run on a pool of statement threads (created on
 * demand, retired after a minute idle, at most {@code max_connections}, each with a large stack
 * for deeply nested statements, named {@code quiver-statement-N}), so a long statement never
 * delays another connection or a CancelRequest.
 *
 * <p>Sessions are bounded by {@code max_connections}: a session holds a slot from its accepted
 * StartupMessage until its connection has been closed and its session released, and a client
 * beyond the bound gets FATAL 53300, as in PostgreSQL. Each connection drains its queue with at
 * most one thread at a time, so the pool never needs more threads than slots.
 *
 * <p>Output backpressure: a channel is unwritable above 256 KiB of queued output and writable
 * again below 64 KiB (see {@link ClientOutput}).
 */
public final class PgServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PgServer.class.getName());
  private static final WriteBufferWaterMark WATER_MARK =
      new WriteBufferWaterMark(64 * 1024, 256 * 1024);

  private final WireConfig config;
  private final SessionFactory factory;
  private final Map<Long, PgConnection> connections = new ConcurrentHashMap<>();
  private final AtomicInteger nextPid = new AtomicInteger(1000);
  private final SecureRandom random = new SecureRandom();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger sessions = new AtomicInteger();
  private final ThreadPoolExecutor statementThreads;
  private volatile boolean closing;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel listener;

  public PgServer(WireConfig config, SessionFactory factory) {
    this.config = config;
    this.factory = factory;
    AtomicInteger n = new AtomicInteger();
    this.statementThreads = new ThreadPoolExecutor(0, config.maxConnections(), 60,
        TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
          Thread t = new Thread(null, r, "quiver-statement-" + n.incrementAndGet(),
              config.statementStackBytes());
          t.setDaemon(true);
          return t;
        });
  }

  /** Binds the listening socket. */
  public PgServer start() {
    boss = new NioEventLoopGroup(1);
    // the event loops run bounded batches (BoundedBatch), whose expressions may nest as deeply
    // as the parser allows: they get the statement threads' stack
    AtomicInteger loops = new AtomicInteger();
    ThreadFactory loopThreads = r -> new FastThreadLocalThread(null, r,
        "quiver-io-" + loops.incrementAndGet(), config.statementStackBytes());
    workers = new NioEventLoopGroup(config.workerThreads(), loopThreads);
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 512)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            channels.add(ch);
            ch.pipeline().addLast(new PgDecoder(config.maxMessageBytes()),
                new PgConnection(PgServer.this));
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

  public WireConfig config() {
    return config;
  }

  SessionFactory factory() {
    return factory;
  }

  Executor statementThreads() {
    return statementThreads;
  }

  boolean closing() {
    return closing;
  }

  /** Takes a session slot; false when max_connections sessions exist. */
  boolean acquireSlot() {
    while (true) {
      int n = sessions.get();
      if (n >= config.maxConnections() || closing) {
        return false;
      }
      if (sessions.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void releaseSlot() {
    synchronized (sessions) {
      sessions.decrementAndGet();
      sessions.notifyAll();
    }
  }

  /** Registers a connection for CancelRequest; returns its (process id, secret key). */
  int[] register(PgConnection connection) {
    int pid = nextPid.incrementAndGet();
    int secret = random.nextInt();
    connections.put((long) pid << 32 | (secret & 0xFFFFFFFFL), connection);
    return new int[] {pid, secret};
  }

  void forget(long key) {
    connections.remove(key);
  }

  /** A CancelRequest: a wrong key does nothing, as in PostgreSQL. */
  void cancel(int pid, int secret) {
    PgConnection c = connections.get((long) pid << 32 | (secret & 0xFFFFFFFFL));
    if (c != null) {
      c.cancelRequest();
    }
  }

  /**
   * Stops listening and closes every connection, waits (up to 10 s) for their sessions to be
   * released (their running statements are cancelled), then stops the threads. Idempotent.
   */
  @Override
  public void close() {
    closing = true;
    if (listener != null) {
      listener.close().syncUninterruptibly();
      listener = null;
    }
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    awaitSessionsReleased(TimeUnit.SECONDS.toNanos(10));
    statementThreads.shutdown();
    try {
      if (!statementThreads.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warning("statement threads still running at shutdown");
        statementThreads.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      boss = null;
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      workers = null;
    }
  }

  private void awaitSessionsReleased(long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (sessions) {
      while (sessions.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warning(sessions.get() + " sessions still open at shutdown");
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(sessions, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
