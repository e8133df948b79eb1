package io.quiverdb.wire;

import io.quiverdb.common.Notice;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.wire.spi.Session;
import io.quiverdb.wire.spi.Timeouts;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's protocol state machine, run by a statement thread one item at a time, as
 * PostgreSQL's PostgresMain reads and handles one message at a time: opens the session, hands each
 * message to its phase ({@link SimpleQueryPhase}, {@link ExtendedQueryPhase}, {@link
 * CopyInPhase}), and keeps what they share: the session, the cancel clock, the output, the
 * skip-until-Sync flag and the running COPY. {@link PgConnection} feeds it on the event loop.
 */
final class Backend {
  private static final Logger LOG = Logger.getLogger(Backend.class.getName());

  /** The event loop accepted a StartupMessage and a session slot: open the session. */
  record Open(Map<String, String> parameters, int minorVersion, List<String> unsupported) {}

  /** The session sat idle longer than its timeout ({@code inTransaction}: in a block). */
  record IdleTimeout(boolean inTransaction) {}

  /** The channel closed: roll back and release everything. */
  static final Object CLOSED = new Object();

  final PgConnection connection;
  final ClientOutput out;
  final ResultWriter results = new ResultWriter(this);
  final SimpleQueryPhase simple = new SimpleQueryPhase(this);
  final ExtendedQueryPhase extended = new ExtendedQueryPhase(this);
  volatile Session session;
  volatile StatementClock clock;
  /** The running COPY FROM STDIN, or null; read by the event loop (a busy connection). */
  volatile CopyInPhase copy;
  /** After an error in the extended protocol: everything but Sync and Terminate is ignored. */
  boolean skipUntilSync;
  /** The last thing sent was ReadyForQuery: the idle timeouts apply. */
  private boolean readySent;
  private boolean finished;

  Backend(PgConnection connection, ClientOutput out) {
    this.connection = connection;
    this.out = out;
  }

  /** Handles one item from the connection's queue; releases a message's body. */
  void handle(Object item) {
    try {
      if (item instanceof PgDecoder.Message m) {
        try {
          if (!finished && !out.ended() && !connection.gone()) {
            message(m.type(), m.body());
          }
        } finally {
          m.body().release();
        }
      } else if (item instanceof Open o) {
        open(o);
      } else if (item instanceof PgDecoder.Violation v) {
        if (v.fatal() != null) {
          out.fatal(v.fatal());
        }
        out.closeSilently(v.log());
      } else if (item instanceof IdleTimeout t) {
        idleTimeout(t);
      } else if (item == CLOSED) {
        finish();
      }
    } catch (ClientOutput.ConnectionEnded e) {
      // the connection is closing; CLOSED follows and releases the session
    }
  }

  private void open(Open o) {
    if (connection.gone() || out.ended()) {
      return; // the client left before its session was opened
    }
    Session s;
    try {
      s = connection.server().factory().open(o.parameters());
    } catch (Throwable t) {
      out.fatal(ClientErrors.forClient(t));
      return;
    }
    session = s;
    clock = new StatementClock(s.cancelToken(), connection.timers(), connection::busy, out::wake);
    int[] key = connection.register();
    ByteBuf b = out.buf();
    if (o.minorVersion() != 0 || !o.unsupported().isEmpty()) {
      PgMessages.negotiateProtocolVersion(b, 0, o.unsupported());
    }
    PgMessages.authenticationOk(b);
    s.parameterStatus().forEach((k, v) -> PgMessages.parameterStatus(b, k, v));
    PgMessages.backendKeyData(b, key[0], key[1]);
    readyForQuery();
  }

  private void message(byte type, ByteBuf body) {
    readySent = false;
    if (copy != null) {
      copy.message(type, body);
      return;
    }
    if (skipUntilSync && type != 'S' && type != 'X') {
      return; // as PostgreSQL, which skips every message but these until Sync
    }
    switch (type) {
      case 'Q' -> simple.query(body);
      case 'P', 'B', 'D', 'E', 'C', 'H' -> extended.message(type, body);
      case 'S' -> extended.sync(body);
      case 'X' -> {
        out.flush(session.pendingDurability(), null);
        finish();
        connection.close();
      }
      case 'F' -> {
        error(QuiverException.notSupported("fastpath function calls"));
        readyForQuery();
      }
      default -> { } // CopyData, CopyDone, CopyFail outside COPY: ignored, as PostgreSQL does
    }
  }

  /** The queue is empty: sends what is buffered and arms an idle timeout if one applies. */
  void idle() {
    Session s = session;
    if (s == null || finished || out.ended()) {
      return;
    }
    try {
      out.flush(s.pendingDurability(), null);
    } catch (ClientOutput.ConnectionEnded e) {
      return;
    }
    if (readySent && copy == null) {
      Timeouts t = s.timeouts();
      boolean inBlock = s.transactionStatus() != 'I';
      long millis = inBlock ? t.idleInTransactionMillis() : t.idleSessionMillis();
      if (millis > 0) {
        connection.armIdleTimer(inBlock, millis);
      }
    }
  }

  private void idleTimeout(IdleTimeout t) {
    Session s = session;
    boolean inBlock = s != null && s.transactionStatus() != 'I';
    if (s == null || finished || !readySent || inBlock != t.inTransaction()) {
      return;
    }
    out.fatal(t.inTransaction()
        ? new QuiverException(SqlState.IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
            "terminating connection due to idle-in-transaction timeout")
        : new QuiverException(SqlState.IDLE_SESSION_TIMEOUT,
            "terminating connection due to idle-session timeout"));
  }

  /** The connection ended: rolls back, closes the session and frees its slot. Idempotent. */
  void finish() {
    if (finished) {
      return;
    }
    finished = true;
    CopyInPhase c = copy;
    if (c != null) {
      c.end();
    }
    extended.closeAll();
    if (clock != null) {
      clock.end();
    }
    Session s = session;
    if (s != null) {
      connection.unregister();
      try {
        s.close();
      } catch (Throwable t) {
        LOG.log(Level.WARNING, "closing a session failed", t);
      }
    }
    out.discard();
    connection.releaseSlot();
  }

  long statementTimeout() {
    return session.timeouts().statementMillis();
  }

  /**
   * Reports a failure as an ErrorResponse (a fatal one ends the connection); the statement
   * ends and the session rolls back what it must. The connection stays usable.
   */
  void error(Throwable t) {
    if (t instanceof ClientOutput.ConnectionEnded e) {
      throw e;
    }
    QuiverException e = ClientErrors.forClient(t);
    if (e.isFatal()) {
      out.fatal(e);
    }
    clock.end();
    session.statementFailed();
    drainNotices();
    PgMessages.error(out.buf(), "ERROR", e);
  }

  void drainNotices() {
    for (Notice n : session.drainNotices()) {
      PgMessages.notice(out.buf(), n);
    }
  }

  void sendParameterChanges() {
    session.drainParameterChanges().forEach((k, v) -> PgMessages.parameterStatus(out.buf(), k, v));
  }

  /** ReadyForQuery, sent at once (once the last commit is durable). */
  void readyForQuery() {
    sendParameterChanges();
    PgMessages.readyForQuery(out.buf(), session.transactionStatus());
    out.flush(session.pendingDurability(), null);
    readySent = true;
  }

  /** Sends what is buffered while a result streams: cancellable while the client is slow. */
  void flushStreaming() {
    out.flush(session.pendingDurability(), clock.token());
  }
}
