package io.quiverdb.common;

/**
 * Asks a session's running statement to stop. A CancelRequest or a timer calls {@link #cancel}
 * from another thread; long loops (parsing, planning, scans, searches) call {@link #check} every
 * so often and stop with 57014. A cancel that arrives while no statement runs is dropped, as
 * PostgreSQL drops one that reaches an idle backend, and a timer armed for one statement never
 * stops the next: it names the statement by the generation {@link #begin} returned.
 */
public final class CancelToken {
  /** Why a statement was stopped; each reason has PostgreSQL's message. */
  public enum Reason {
    USER_REQUEST("canceling statement due to user request"),
    STATEMENT_TIMEOUT("canceling statement due to statement timeout");

    private final String message;

    Reason(String message) {
      this.message = message;
    }

    public String message() {
      return message;
    }
  }

  /** A token nothing cancels, for work that runs outside any session. */
  public static final CancelToken NONE = new CancelToken();

  private volatile Reason reason;
  private long generation;
  private boolean active;

  /** A statement starts: clears an earlier reason; returns the statement's generation. */
  public synchronized long begin() {
    reason = null;
    active = true;
    return ++generation;
  }

  /** The running statement ended: cancels are dropped until the next {@link #begin}. */
  public synchronized void end() {
    active = false;
    reason = null;
  }

  /** Stops the running statement, if one runs. */
  public synchronized void cancel(Reason why) {
    if (active && reason == null && this != NONE) {
      reason = why;
    }
  }

  /** Stops statement {@code statement} (a generation from {@link #begin}) if it still runs. */
  public synchronized void cancel(long statement, Reason why) {
    if (statement == generation) {
      cancel(why);
    }
  }

  public boolean isCancelled() {
    return reason != null;
  }

  /**
   * Throws when the running statement was cancelled.
   *
   * @throws QuiverException 57014 with the reason's message
   */
  public void check() {
    Reason r = reason;
    if (r != null) {
      throw new QuiverException(SqlState.QUERY_CANCELED, r.message());
    }
  }
}
