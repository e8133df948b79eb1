package io.quiverdb.server;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Small helpers to look at the errors a server sends. */
final class PgAssert {
  private PgAssert() {}

  /** Something that talks to the server and is expected to fail. */
  @FunctionalInterface
  interface SqlAction {
    void run() throws SQLException;
  }

  /** Runs the action, which must fail with a server error, and returns that error. */
  static ServerErrorMessage error(SqlAction action) {
    try {
      action.run();
    } catch (PSQLException e) {
      if (e.getServerErrorMessage() == null) {
        throw new AssertionError("expected a server error, got a client-side one", e);
      }
      return e.getServerErrorMessage();
    } catch (SQLException e) {
      throw new AssertionError("expected a PSQLException", e);
    }
    throw new AssertionError("expected the statement to fail, but it succeeded");
  }

  static String sqlState(SqlAction action) {
    return error(action).getSQLState();
  }
}
