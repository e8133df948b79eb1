package io.quiverdb.planner.exec;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.planner.SessionContext;
import io.quiverdb.storage.Transaction;
import io.quiverdb.storage.Store;
import java.time.ZoneId;

/**
 * One execution of a plan: the parameter values and the session (its transaction, whose snapshot
 * every scan reads; cancellation, time zone and settings). Not shared between threads.
 */
public final class ExecContext implements AutoCloseable {
  private final Store store;
  private final Object[] parameters;
  private final SessionContext session;
  private final long startMicros;
  private long currentRowId;
  private int ticks;
  private java.util.Map<ExecNode, String> analysis;

  public ExecContext(Store store, Object[] parameters, SessionContext session) {
    this.store = store;
    this.parameters = parameters == null ? new Object[0] : parameters;
    this.session = session;
    java.time.Instant now = java.time.Instant.now();
    this.startMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  public Object parameter(int index) {
    if (index >= parameters.length) {
      throw new QuiverException(SqlState.UNDEFINED_PARAMETER,
          "there is no parameter $" + (index + 1));
    }
    return parameters[index];
  }

  /** The transaction the statement reads and writes in (the session's). */
  public Transaction transaction() {
    if (session == null) {
      throw new IllegalStateException("a statement without a session cannot read tables");
    }
    return session.transaction();
  }

  public Store store() {
    return store;
  }

  public SessionContext session() {
    return session;
  }

  public ZoneId timeZone() {
    return session == null ? ZoneId.of("UTC") : session.timeZone();
  }

  /** The statement's start time (now(), CURRENT_TIMESTAMP), microseconds since 1970 UTC. */
  public long statementStartMicros() {
    return startMicros;
  }

  /** The row id of the row a scan produced last (for UPDATE and DELETE). */
  public long currentRowId() {
    return currentRowId;
  }

  void setCurrentRowId(long rowId) {
    currentRowId = rowId;
  }

  /**
   * Called per row by scans: stops the statement with 57014 when it was cancelled (a
   * CancelRequest, statement_timeout).
   */
  public void checkCancelled() {
    if ((++ticks & 1023) == 0 && session != null) {
      session.cancelToken().check();
    }
  }

  /** Records what an operator did in this execution, for EXPLAIN ANALYZE. */
  void analyzed(ExecNode node, String detail) {
    if (analysis == null) {
      analysis = new java.util.IdentityHashMap<>();
    }
    analysis.put(node, detail);
  }

  /** What {@code node} recorded in this execution, or null. */
  public String analysis(ExecNode node) {
    return analysis == null ? null : analysis.get(node);
  }

  @Override
  public void close() {
    // the session owns the transaction; nothing to release per statement yet
  }
}
