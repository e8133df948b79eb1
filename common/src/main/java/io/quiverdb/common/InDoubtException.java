package io.quiverdb.common;

/**
 * A commit whose outcome is unknown: its write or the sync of the write-ahead log failed, so the
 * commit may or may not survive a restart. It is never reported as "not committed". The wire
 * answers it with a FATAL error and drops the connection, and the storage engine refuses all
 * further work until it is restarted and has recovered, as PostgreSQL does after a failed fsync.
 */
public final class InDoubtException extends QuiverException {
  private static final long serialVersionUID = 1L;

  public InDoubtException(String message, Throwable cause) {
    this(SqlState.IO_ERROR, message, cause);
  }

  /** An in-doubt commit whose cause has its own SQLSTATE (53100 for a full disk). */
  public InDoubtException(SqlState state, String message, Throwable cause) {
    super(state, message, cause);
  }

  @Override
  public boolean isFatal() {
    return true;
  }
}
