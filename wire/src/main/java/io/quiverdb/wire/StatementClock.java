package io.quiverdb.wire;

import io.quiverdb.common.CancelToken;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A connection's running statement as cancellation sees it: the session's {@link CancelToken}
 * generation, its statement_timeout timer, and whether a cancel may act now.
 *
 * <p>PostgreSQL's rules, which this follows: a statement runs from {@link #begin} (a Query, or
 * the first Parse, Bind, Describe or Execute since the last one ended) to {@link #end} (each
 * statement of a Query, an Execute that completes, a Sync, an error). A CancelRequest or an
 * expired timer stops it only while the connection is busy: handling messages, or in copy-in
 * mode; one that arrives while the server waits for the client's next message is dropped (a
 * timer that expired then is re-armed by the next message), as PostgreSQL ignores cancels while
 * it reads a command. The timer names its statement by generation, so it never stops a later one.
 *
 * <p>Invariant: {@code running} is true exactly between the token's begin and end; the timer, if
 * any, belongs to the current generation. All state is guarded by this object's monitor; {@code
 * wake} (which wakes a thread waiting to write) is called without other locks held by callers.
 */
final class StatementClock {
  private final CancelToken token;
  private final EventExecutor timers;
  private final BooleanSupplier busy;
  private final Runnable wake;
  private long generation;
  private boolean running;
  private boolean timerExpiredIdle;
  private ScheduledFuture<?> timer;

  StatementClock(CancelToken token, EventExecutor timers, BooleanSupplier busy, Runnable wake) {
    this.token = token;
    this.timers = timers;
    this.busy = busy;
    this.wake = wake;
  }

  CancelToken token() {
    return token;
  }

  /** A statement starts, or goes on (then only a timer that expired while idle is re-armed). */
  synchronized void begin(long timeoutMillis) {
    if (!running) {
      generation = token.begin();
      running = true;
      arm(timeoutMillis);
    } else if (timerExpiredIdle) {
      arm(timeoutMillis);
    }
  }

  /** The statement ended: its timer is stopped and later cancels are dropped. */
  synchronized void end() {
    if (running) {
      running = false;
      timerExpiredIdle = false;
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      token.end();
    }
  }

  private void arm(long timeoutMillis) {
    timerExpiredIdle = false;
    if (timeoutMillis > 0) {
      long statement = generation;
      timer = timers.schedule(() -> expired(statement), timeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void expired(long statement) {
    synchronized (this) {
      if (!running || statement != generation) {
        return;
      }
      timer = null;
      if (!busy.getAsBoolean()) {
        timerExpiredIdle = true;
        return;
      }
      token.cancel(statement, CancelToken.Reason.STATEMENT_TIMEOUT);
    }
    wake.run();
  }

  /** A CancelRequest with this connection's key. */
  void cancelRequest() {
    synchronized (this) {
      if (!running || !busy.getAsBoolean()) {
        return;
      }
      token.cancel(generation, CancelToken.Reason.USER_REQUEST);
    }
    wake.run();
  }

  /** The connection is gone: stops what runs so that its thread is freed. */
  void abandon() {
    synchronized (this) {
      if (running) {
        token.cancel(generation, CancelToken.Reason.USER_REQUEST);
      }
    }
    wake.run();
  }
}
