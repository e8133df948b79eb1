package io.quiverdb.wire.spi;

import io.quiverdb.common.Notice;
import java.util.List;
import java.util.Map;

/**
 * One client connection's view of the database, as the wire protocol needs it. All calls for one
 * connection come from one statement thread at a time (not always the same thread). Methods
 * report failures by throwing {@link io.quiverdb.common.QuiverException}; anything else thrown is
 * a bug the wire reports as XX000 with a generic message while keeping the connection.
 *
 * <p>Cancellation: the wire begins and ends the session's {@link #cancelToken()} at the protocol
 * points where PostgreSQL starts and stops a statement (a Query's statements, the extended
 * protocol from its first Parse/Bind/Describe/Execute to the Execute's end or Sync, a COPY's
 * data), cancels it for a CancelRequest or an expired statement_timeout, and the session's long
 * loops check it.
 */
public interface Session extends AutoCloseable {
  /** ParameterStatus values sent after AuthenticationOk (server_version, DateStyle, …). */
  Map<String, String> parameterStatus();

  /**
   * Splits a simple Query message into its statements. Each is planned only when executed, so a
   * later statement may use a table an earlier one created. An empty list means an empty query.
   */
  List<PreparedCommand> parseSimple(String sql);

  /**
   * A Parse message: the text holds at most one statement (42601 otherwise). {@code paramOids}
   * are the declared parameter types, 0 where unspecified (then inferred from context).
   */
  PreparedCommand prepare(String sql, int[] paramOids);

  /**
   * The command a Parse of {@code sql} would give, when the text is already parsed (cached);
   * null otherwise, without parsing anything.
   */
  default PreparedCommand cached(String sql, int[] paramOids) {
    return null;
  }

  /**
   * True when nothing this session does next waits: no commit is waiting to become durable, and
   * a Sync would commit nothing (see {@link PreparedCommand#isBounded}).
   */
  default boolean isQuiet() {
    return false;
  }

  /** Executes a prepared command with parameter values already decoded to engine values. */
  Cursor execute(PreparedCommand command, Object[] parameters);

  /** ReadyForQuery status: 'I' idle, 'T' in a transaction block, 'E' in a failed one. */
  char transactionStatus();

  /** Tells the session that a statement failed outside {@link #execute} (bad Bind, say). */
  void statementFailed();

  /**
   * The end of an implicit transaction: a Sync message, or the end of a simple Query's last
   * statement (before its CommandComplete). Commits what the statements since the last one wrote;
   * throws (as {@link #execute} does) when the commit is refused, e.g. 40001.
   */
  void sync();

  /**
   * The durability of the last commit, while it is not yet known: the wire sends nothing more to
   * this client until the future completes. A future that fails means the commit is in doubt: the
   * wire drops the connection with FATAL, without sending what it held. Null when there is
   * nothing to wait for.
   */
  java.util.concurrent.CompletableFuture<?> pendingDurability();

  /** Notices raised since the last call, in order, to send before the next CommandComplete. */
  List<Notice> drainNotices();

  /** Settings whose reported value changed since the last call, for ParameterStatus messages. */
  Map<String, String> drainParameterChanges();

  /** How values are formatted as text for this session (extra_float_digits, TimeZone). */
  FormatSettings formatSettings();

  /** The token the session's statements check; the wire begins, ends and cancels it. */
  io.quiverdb.common.CancelToken cancelToken();

  /** The session's current statement and idle timeouts. */
  Timeouts timeouts();

  /** The connection ended (Terminate or dropped): roll back whatever is open. Idempotent. */
  @Override
  void close();
}
