package io.quiverdb.planner;

import io.quiverdb.common.Notice;
import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.Transaction;
import java.time.ZoneId;

/** What the planner and executor may ask of the session running a statement. */
public interface SessionContext {
  /** The role the session authenticated as. */
  String user();

  /** The database named at startup. */
  String database();

  /** The session's TimeZone setting. */
  ZoneId timeZone();

  /** The current value of a session setting as text, or null when there is no such setting. */
  String setting(String name);

  /** Queues a notice for the client (sent before the statement's CommandComplete). */
  void notice(Notice notice);

  /** Tells the running statement to stop (a CancelRequest, statement_timeout); checked by loops. */
  io.quiverdb.common.CancelToken cancelToken();

  /**
   * The transaction the running statement reads and writes in: the open transaction block's, or
   * one the session began for this statement alone (it commits or rolls back when the statement
   * ends).
   */
  Transaction transaction();

  /** The tables the session sees: its transaction's picture when it has done DDL. */
  CatalogView catalog();
}
