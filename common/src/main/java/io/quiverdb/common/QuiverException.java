package io.quiverdb.common;

/**
 * A failure a client should see: carries the SQLSTATE and the ErrorResponse fields (message,
 * detail, hint, context, and a 1-based character position into the statement text, or 0 when
 * none).
 */
public class QuiverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final SqlState state;
  private final String detail;
  private final String hint;
  private final int position;
  private String context;

  public QuiverException(SqlState state, String message, String detail, String hint, int position) {
    super(message);
    this.state = state;
    this.detail = detail;
    this.hint = hint;
    this.position = position;
  }

  public QuiverException(SqlState state, String message) {
    this(state, message, null, null, 0);
  }

  public QuiverException(SqlState state, String message, Throwable cause) {
    this(state, message);
    initCause(cause);
  }

  public SqlState state() {
    return state;
  }

  public String detail() {
    return detail;
  }

  public String hint() {
    return hint;
  }

  /** 1-based character offset into the query text where the error was found; 0 when unknown. */
  public int position() {
    return position;
  }

  /** The same error pointing at {@code newPosition} (1-based). */
  public QuiverException withPosition(int newPosition) {
    QuiverException e = new QuiverException(state, getMessage(), detail, hint, newPosition);
    e.initCause(getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** Where the error happened, as PostgreSQL's CONTEXT field ({@code COPY t, line 3}); or null. */
  public String context() {
    return context;
  }

  /**
   * The same error with {@code where} as its context (a fatal error is returned unchanged: its
   * kind must survive).
   */
  public QuiverException withContext(String where) {
    if (isFatal()) {
      return this;
    }
    QuiverException e = new QuiverException(state, getMessage(), detail, hint, position);
    e.initCause(getCause());
    e.setStackTrace(getStackTrace());
    e.context = where;
    return e;
  }

  /** True when the connection must end after reporting this error (severity FATAL). */
  public boolean isFatal() {
    return false;
  }

  /**
   * The XX000 a client sees for a bug: a generic message naming a fresh id, under which {@code
   * cause} is logged (with {@code what} happened) at SEVERE; no internal text reaches the client.
   */
  public static QuiverException internal(String what, Throwable cause) {
    byte[] bytes = new byte[4];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
    String id = java.util.HexFormat.of().formatHex(bytes);
    java.util.logging.Logger.getLogger("io.quiverdb").log(java.util.logging.Level.SEVERE,
        what + " (internal error, id " + id + ")", cause);
    return new QuiverException(SqlState.INTERNAL_ERROR,
        "internal error; see the server log, id " + id, cause);
  }

  /** Shorthand for the unsupported-feature error: SQLSTATE 0A000 naming the feature. */
  public static QuiverException notSupported(String feature) {
    return new QuiverException(SqlState.FEATURE_NOT_SUPPORTED, feature + " is not supported");
  }

  /**
   * PostgreSQL's 54001 for a statement nested too deeply to parse, plan or run; {@code hint} says
   * which limit it met.
   */
  public static QuiverException stackDepthExceeded(String hint) {
    return new QuiverException(SqlState.STATEMENT_TOO_COMPLEX, "stack depth limit exceeded", null,
        hint, 0);
  }
}
