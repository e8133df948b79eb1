package io.quiverdb.wire;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a connection's statement thread sends: backend messages accumulate in one buffer, written
 * to the channel when flushed. Two rules hold at every flush:
 *
 * <ul>
 *   <li>Durability: while the session's last commit is not known to be durable, nothing is
 *       written (the buffer may hold its CommandComplete); the flush waits for it. When the commit
 *       is in doubt, the held output is dropped and the connection ends with FATAL.
 *   <li>Backpressure: after writing, the thread waits while the channel is not writable (more
 *       than its high water mark is queued for a slow client), so a result is produced only as
 *       fast as the client reads it. A cancelled statement stops waiting with 57014; a closed
 *       channel ends the work with {@link ConnectionEnded}.
 * </ul>
 */
final class ClientOutput {
  private static final Logger LOG = Logger.getLogger(ClientOutput.class.getName());

  /** The connection is gone (or going, after a FATAL): the statement thread stops its work. */
  static final class ConnectionEnded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConnectionEnded() {
      super("connection ended", null, false, false);
    }
  }

  private final Channel channel;
  private final Object writable = new Object();
  private ByteBuf buf;
  private volatile boolean ended;
  /** Writes of statement threads not yet completed on the event loop. */
  private final AtomicInteger handedOver = new AtomicInteger();

  ClientOutput(Channel channel) {
    this.channel = channel;
  }

  /** The buffer to append backend messages to. */
  ByteBuf buf() {
    checkEnded();
    if (buf == null) {
      buf = channel.alloc().ioBuffer(1024);
    }
    return buf;
  }

  /**
   * Writes what is buffered once {@code durable} (may be null) completes, then waits while the
   * channel is not writable (see the rules above); {@code token}, if not null, is the running
   * statement's, whose cancel stops the wait.
   */
  void flush(CompletableFuture<?> durable, CancelToken token) {
    boolean onLoop = channel.eventLoop().inEventLoop();
    if (onLoop && durable != null && !durable.isDone()) {
      throw new IllegalStateException("a commit's durability is awaited on the event loop");
    }
    if (durable != null && !durable.isDone()) {
      try {
        durable.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fatal(new QuiverException(SqlState.ADMIN_SHUTDOWN,
            "terminating connection due to administrator command"));
      } catch (ExecutionException e) {
        // handled below
      }
    }
    if (durable != null && durable.isCompletedExceptionally()) {
      Throwable cause = durable.handle((v, e) -> e).join();
      if (cause instanceof java.util.concurrent.CompletionException c && c.getCause() != null) {
        cause = c.getCause();
      }
      fatal(cause instanceof QuiverException q ? q : ClientErrors.internal(cause));
    }
    checkEnded();
    if (buf != null && buf.isReadable()) {
      ByteBuf b = buf;
      buf = null;
      if (onLoop) {
        channel.writeAndFlush(b, channel.voidPromise());
      } else {
        // Netty hands the write to the event loop as a task; until it ran, output the loop
        // wrote itself would overtake it (see writable())
        // (the listener goes on first, so the loop runs it as the write completes)
        handedOver.incrementAndGet();
        ChannelPromise written = channel.newPromise();
        written.addListener(f -> handedOver.decrementAndGet());
        channel.writeAndFlush(b, written);
      }
    }
    if (!onLoop) {
      awaitWritable(token); // on the event loop only bounded output is written: it never waits
    }
  }

  /**
   * Whether the event loop may write now (and so run a bounded batch): the channel takes more
   * output, and no write a statement thread handed to the loop is still on its way, which the
   * loop's own writes would overtake (a ReadyForQuery before the results of its batch).
   */
  boolean writable() {
    return channel.isWritable() && !ended && handedOver.get() == 0;
  }

  /**
   * Waits while the channel is not writable; with a token, a cancel of the running statement
   * stops the wait with 57014.
   */
  void awaitWritable(CancelToken token) {
    synchronized (writable) {
      while (!channel.isWritable()) {
        if (!channel.isActive() || ended) {
          throw new ConnectionEnded();
        }
        if (token != null) {
          token.check();
        }
        try {
          writable.wait(1000); // woken by writability, cancel or close; the timeout is a backstop
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ConnectionEnded();
        }
      }
    }
    if (!channel.isActive()) {
      throw new ConnectionEnded();
    }
  }

  /** Wakes a thread waiting in {@link #awaitWritable} (writability changed, cancel, close). */
  void wake() {
    synchronized (writable) {
      writable.notifyAll();
    }
  }

  /** Sends FATAL without what is held, closes the connection, and ends the work. */
  void fatal(QuiverException e) {
    checkEnded();
    discard();
    ByteBuf b = channel.alloc().ioBuffer(256);
    PgMessages.error(b, "FATAL", e);
    ended = true;
    channel.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
    throw new ConnectionEnded();
  }

  /** Closes the connection without a word (PostgreSQL's COMMERROR), and ends the work. */
  void closeSilently(String why) {
    LOG.log(Level.INFO, () -> "closing connection " + channel.remoteAddress() + ": " + why);
    discard();
    ended = true;
    channel.close();
    throw new ConnectionEnded();
  }

  boolean ended() {
    return ended;
  }

  /** Throws, dropping what is buffered, once the connection has ended. */
  private void checkEnded() {
    if (ended) {
      discard();
      throw new ConnectionEnded();
    }
  }

  /** Drops what is buffered; only the statement thread calls it. */
  void discard() {
    if (buf != null) {
      buf.release();
      buf = null;
    }
  }

  /** The connection is gone (any thread): nothing more is written, a waiting writer wakes. */
  void end() {
    ended = true;
    wake();
  }
}
