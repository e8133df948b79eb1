package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The wire boundary for failures: what a client may see of a throwable. A {@link QuiverException}
 * goes out as it is; the JVM's stack and heap exhaustion become PostgreSQL's 54001 and 53200;
 * anything else is a bug, which the client sees as XX000 with a generic message naming an id,
 * and the server log gets the throwable under that id. No exception text, class name or stack
 * trace of ours ever reaches a client.
 */
final class ClientErrors {
  private static final Logger LOG = Logger.getLogger(ClientErrors.class.getName());

  private ClientErrors() {}

  static QuiverException forClient(Throwable t) {
    if (t instanceof QuiverException q) {
      return q;
    }
    if (t instanceof StackOverflowError) {
      return new QuiverException(SqlState.STATEMENT_TOO_COMPLEX, "stack depth limit exceeded",
          null, "Simplify the statement, or increase the server's statement_stack_size.", 0);
    }
    if (t instanceof OutOfMemoryError) {
      LOG.log(Level.WARNING, "out of memory in a statement", t);
      return new QuiverException(SqlState.OUT_OF_MEMORY, "out of memory");
    }
    return internal(t);
  }

  /** XX000 naming a fresh id; the throwable is logged under it. */
  static QuiverException internal(Throwable t) {
    return QuiverException.internal("a statement failed", t);
  }
}
