package io.quiverdb.wire;

import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.CopyOut;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import io.quiverdb.wire.spi.PreparedCommand;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The simple query protocol: a Query message's statements run one after the other as one
 * implicit transaction (unless they hold their own BEGIN/COMMIT), each its own statement for
 * statement_timeout and cancels (the first one's time includes parsing the text), then
 * ReadyForQuery. A COPY FROM STDIN among them pauses the rest until its data has arrived.
 */
final class SimpleQueryPhase {
  private static final Object[] NO_PARAMETERS = new Object[0];

  private final Backend b;

  SimpleQueryPhase(Backend backend) {
    this.b = backend;
  }

  void query(ByteBuf body) {
    b.extended.closeUnnamedPortal();
    try {
      String sql = FrontendMessages.query(body);
      b.clock.begin(b.statementTimeout());
      List<PreparedCommand> commands = b.session.parseSimple(sql);
      if (commands.isEmpty()) {
        PgMessages.emptyQueryResponse(b.out.buf());
      }
      if (!run(commands, 0)) {
        return; // a COPY FROM STDIN waits for the client's data
      }
      b.session.sync(); // when the last statement was empty, the implicit transaction ends here
    } catch (Throwable t) {
      b.error(t);
    }
    b.clock.end();
    b.readyForQuery();
  }

  /**
   * Runs a Query message's statements from {@code from} on; returns false when one of them is a
   * COPY FROM STDIN, which continues with the rest when its data has arrived.
   */
  boolean run(List<PreparedCommand> commands, int from) {
    for (int i = from; i < commands.size(); i++) {
      PreparedCommand command = commands.get(i);
      if (command.isEmpty()) {
        PgMessages.emptyQueryResponse(b.out.buf());
        continue;
      }
      b.clock.begin(b.statementTimeout());
      Cursor executed = b.session.execute(command, NO_PARAMETERS);
      if (executed instanceof CopyIn in) {
        CopyInPhase.start(b, in, commands, i + 1);
        return false;
      }
      try (Cursor cursor = executed) {
        if (cursor instanceof CopyOut c) {
          b.results.copyOut(c);
        } else {
          List<Field> fields = cursor.fields();
          if (fields != null) {
            PgMessages.rowDescription(b.out.buf(), fields, null);
          }
          b.results.rows(cursor, fields, null, 0, null);
        }
        if (i == commands.size() - 1) {
          b.session.sync(); // the implicit transaction commits before the last CommandComplete
        }
        b.drainNotices();
        PgMessages.commandComplete(b.out.buf(), cursor.commandTag());
      }
      b.sendParameterChanges();
      b.clock.end();
    }
    return true;
  }
}
