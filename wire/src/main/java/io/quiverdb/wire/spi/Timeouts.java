package io.quiverdb.wire.spi;

/**
 * A session's timeouts in milliseconds, 0 for none: PostgreSQL's statement_timeout,
 * idle_in_transaction_session_timeout and idle_session_timeout.
 */
public record Timeouts(long statementMillis, long idleInTransactionMillis, long idleSessionMillis) {
  public static final Timeouts NONE = new Timeouts(0, 0, 0);

  public Timeouts {
    if (statementMillis < 0 || idleInTransactionMillis < 0 || idleSessionMillis < 0) {
      throw new IllegalArgumentException("timeouts must not be negative");
    }
  }
}
