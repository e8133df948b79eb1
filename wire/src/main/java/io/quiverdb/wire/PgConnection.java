package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection on its event loop. The event loop decodes and queues: it answers
 * SSLRequest, serves a CancelRequest at once, reads the StartupMessage and takes a session slot
 * ({@code max_connections}; a client has a minute to send it), and puts every later message on
 * the connection's queue. A statement thread from the server's pool drains the queue through the
 * connection's {@link Backend}, one item at a time and strictly in order (a serial queue over the
 * pool: at most one drain runs). A drain starts when a read's messages are all queued, so that a
 * pipelined batch is handled, and answered, in one go. A batch of bounded work only (a planned
 * primary key lookup, see {@link BoundedBatch}) is drained on the event loop itself.
 *
 * <p>Input backpressure: when more than 1 MiB of messages waits in the queue, the channel stops
 * reading until the queue is down to half of that. Idle timeouts: when the backend has answered
 * ReadyForQuery and nothing more arrives, the event loop's timer queues an {@link
 * Backend.IdleTimeout}; any new message disarms it.
 *
 * <p>A connection that closes without a Terminate has its running statement cancelled and its
 * queued messages dropped; the backend then closes the session (rolling back what is open).
 */
final class PgConnection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(PgConnection.class.getName());
  private static final long MAX_QUEUED_BYTES = 1 << 20;
  private static final int STARTUP_SECONDS = 60;

  private final PgServer server;
  private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
  /** True while a drain runs or is submitted: the connection is busy (a cancel may act). */
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicBoolean slotHeld = new AtomicBoolean();
  private ChannelHandlerContext ctx;
  private Backend backend;
  private volatile boolean readingPaused;
  private volatile boolean gone;
  private volatile long handled;
  private volatile long backendKey;
  // event loop only
  private boolean started;
  private boolean refused;
  private boolean terminateQueued;
  /** Messages of the current read are queued but no drain was started for them yet. */
  private boolean readPending;
  private long received;
  private ScheduledFuture<?> idleTimer;
  private ScheduledFuture<?> startupTimer;

  PgConnection(PgServer server) {
    this.server = server;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.backend = new Backend(this, new ClientOutput(ctx.channel()));
  }

  PgServer server() {
    return server;
  }

  EventExecutor timers() {
    return ctx.executor();
  }

  /** Handling messages or in copy-in mode: a cancel or an expired timer acts now. */
  boolean busy() {
    return draining.get() || backend.copy != null;
  }

  /** The client went away without a Terminate: queued messages are dropped. */
  boolean gone() {
    return gone;
  }

  void close() {
    ctx.close();
  }

  // ------------------------------------------------------------ event loop

  /** As PostgreSQL's authentication_timeout: a client has a minute to complete its startup. */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    startupTimer = ctx.executor().schedule(() -> {
      if (!started && !refused) {
        LOG.fine(() -> "closing connection " + ctx.channel().remoteAddress()
            + ": no startup packet within " + STARTUP_SECONDS + " s");
        ctx.close();
      }
    }, STARTUP_SECONDS, TimeUnit.SECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof PgDecoder.StartupPacket p) {
      try {
        startupPacket(p.code(), p.body());
      } finally {
        p.body().release();
      }
      return;
    }
    if (!started) {
      if (msg instanceof PgDecoder.Violation v && !refused) {
        refuse(v);
      }
      ReferenceCountUtil.release(msg instanceof PgDecoder.Message m ? m.body() : null);
      return;
    }
    if (msg instanceof PgDecoder.Message m) {
      received++;
      terminateQueued |= m.type() == 'X';
      if (queuedBytes.addAndGet(m.body().readableBytes()) > MAX_QUEUED_BYTES && !readingPaused) {
        readingPaused = true;
        ctx.channel().config().setAutoRead(false);
      }
    }
    disarmIdleTimer();
    inbox.add(msg); // the drain starts at the end of the read, with all its messages queued
    readPending = true;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (readPending) {
      readPending = false;
      if (draining.compareAndSet(false, true)) {
        if (BoundedBatch.accepts(backend, inbox)) {
          drain(); // bounded work: handled here, saving two hand-offs
        } else {
          submit();
        }
      }
    }
  }

  private void startupPacket(int code, ByteBuf body) {
    if (started || refused) {
      return;
    }
    switch (code) {
      case PgDecoder.SSL_REQUEST, PgDecoder.GSSENC_REQUEST ->
          ctx.writeAndFlush(ctx.alloc().ioBuffer(1).writeByte('N'));
      case PgDecoder.CANCEL_REQUEST -> {
        if (body.readableBytes() == 8) {
          server.cancel(body.readInt(), body.readInt());
        } else {
          LOG.fine("invalid length of cancel request packet");
        }
        refused = true;
        ctx.close();
      }
      default -> {
        Backend.Open open;
        try {
          open = StartupPhase.read(code, body);
        } catch (QuiverException e) {
          fatal(e);
          return;
        }
        if (!server.acquireSlot()) {
          fatal(new QuiverException(SqlState.TOO_MANY_CONNECTIONS,
              "sorry, too many clients already"));
          return;
        }
        slotHeld.set(true);
        started = true;
        startupTimer.cancel(false);
        enqueue(open);
      }
    }
  }

  private void refuse(PgDecoder.Violation v) {
    if (v.fatal() != null) {
      fatal(v.fatal());
    } else {
      LOG.fine(() -> "closing connection " + ctx.channel().remoteAddress() + ": " + v.log());
      refused = true;
      ctx.close();
    }
  }

  /** FATAL before startup completed: written from the event loop, then the connection closes. */
  private void fatal(QuiverException e) {
    refused = true;
    ByteBuf b = ctx.alloc().ioBuffer(256);
    PgMessages.error(b, "FATAL", e);
    ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    backend.out.wake();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarmIdleTimer();
    if (startupTimer != null) {
      startupTimer.cancel(false);
    }
    readPending = false;
    if (!started) {
      return;
    }
    if (!terminateQueued) {
      gone = true;
      StatementClock clock = backend.clock;
      if (clock != null) {
        clock.abandon();
      }
    }
    backend.out.end();
    enqueue(Backend.CLOSED);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      ClientErrors.internal(cause);
    }
    ctx.close();
  }

  private void disarmIdleTimer() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  // ------------------------------------------------------------ the serial queue

  private void enqueue(Object item) {
    inbox.add(item);
    startDrain();
  }

  private void startDrain() {
    if (draining.compareAndSet(false, true)) {
      submit();
    }
  }

  private void submit() {
    try {
      server.statementThreads().execute(this::drain);
    } catch (RejectedExecutionException full) {
      if (server.closing()) {
        dropQueued();
        return;
      }
      // a thread that just finished a closed session's work has not returned to the pool yet
      ctx.executor().schedule(this::submit, 1, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Handles queued items until the queue is empty: on a statement thread, or on the event loop
   * for a batch {@link BoundedBatch} accepted.
   */
  private void drain() {
    try {
      while (true) {
        Object item = inbox.poll();
        if (item == null) {
          backend.idle();
          draining.set(false);
          if (inbox.isEmpty() || !draining.compareAndSet(false, true)) {
            return;
          }
          continue;
        }
        if (item instanceof PgDecoder.Message m) {
          dequeued(m.body().readableBytes());
          handled++;
        }
        backend.handle(item);
      }
    } catch (Throwable t) {
      LOG.log(Level.SEVERE, "a connection's statement thread failed", t);
      draining.set(false);
      ctx.close();
    }
  }

  private void dequeued(int bytes) {
    if (queuedBytes.addAndGet(-bytes) <= MAX_QUEUED_BYTES / 2 && readingPaused) {
      onEventLoop(() -> {
        if (readingPaused && queuedBytes.get() <= MAX_QUEUED_BYTES / 2) {
          readingPaused = false;
          ctx.channel().config().setAutoRead(true);
        }
      });
    }
  }

  private void dropQueued() {
    Object item;
    while ((item = inbox.poll()) != null) {
      if (item instanceof PgDecoder.Message m) {
        m.body().release();
      }
    }
    draining.set(false);
  }

  private void onEventLoop(Runnable task) {
    try {
      ctx.executor().execute(task);
    } catch (RejectedExecutionException shutDown) {
      // the server is stopping
    }
  }

  // ------------------------------------------------------------ for the backend

  /**
   * Arms the idle timer (from the statement thread, after ReadyForQuery): it fires only if no
   * message arrives meanwhile, including between this call and the event loop seeing it.
   */
  void armIdleTimer(boolean inTransaction, long millis) {
    long at = handled;
    onEventLoop(() -> {
      if (received != at || !ctx.channel().isActive()) {
        return;
      }
      disarmIdleTimer();
      idleTimer = ctx.executor().schedule(() -> {
        idleTimer = null;
        if (received == at) {
          enqueue(new Backend.IdleTimeout(inTransaction));
        }
      }, millis, TimeUnit.MILLISECONDS);
    });
  }

  /** Registers for CancelRequest; returns (process id, secret key). */
  int[] register() {
    int[] key = server.register(this);
    backendKey = (long) key[0] << 32 | (key[1] & 0xFFFFFFFFL);
    return key;
  }

  void unregister() {
    server.forget(backendKey);
  }

  /** A CancelRequest with this connection's key (on another connection's event loop). */
  void cancelRequest() {
    StatementClock clock = backend.clock;
    if (clock != null) {
      clock.cancelRequest();
    }
  }

  void releaseSlot() {
    if (slotHeld.compareAndSet(true, false)) {
      server.releaseSlot();
    }
  }
}
