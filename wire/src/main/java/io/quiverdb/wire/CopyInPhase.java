package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.PreparedCommand;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * A COPY FROM STDIN in progress (copy-in mode), as PostgreSQL's CopyGetData takes its messages:
 * CopyData is parsed as it arrives (rows may span messages), CopyDone and CopyFail end the COPY,
 * Flush and Sync are ignored (clients send them without noticing the command was a COPY), and
 * anything else is a protocol violation that fails the COPY. The COPY is one statement: a cancel
 * or an expired statement_timeout while waiting for data stops it when the next message arrives.
 * Afterwards a Query message goes on with its remaining statements ({@code commands} from {@code
 * next}; null when an extended-protocol Execute started it).
 */
final class CopyInPhase {
  private final Backend b;
  private final CopyIn cursor;
  private final CopyReader reader;
  private final List<PreparedCommand> commands;
  private final int next;

  private CopyInPhase(Backend b, CopyIn cursor, List<PreparedCommand> commands, int next) {
    this.b = b;
    this.cursor = cursor;
    this.reader = CopyReader.of(cursor, b.session.formatSettings());
    this.commands = commands;
    this.next = next;
  }

  static void start(Backend b, CopyIn in, List<PreparedCommand> commands, int next) {
    b.copy = new CopyInPhase(b, in, commands, next);
    PgMessages.copyResponse(b.out.buf(), 'G', in.format().binary(), in.columnTypes().size());
    b.out.flush(b.session.pendingDurability(), null); // the client sends nothing before this
  }

  private boolean simple() {
    return commands != null;
  }

  void message(byte type, ByteBuf body) {
    try {
      b.clock.token().check();
      switch (type) {
        case 'd' -> reader.feed(body);
        case 'c' -> done();
        case 'f' -> throw new QuiverException(SqlState.QUERY_CANCELED,
            "COPY from stdin failed: " + MessageReader.cstring(body));
        case 'H', 'S' -> { }
        default -> throw new QuiverException(SqlState.PROTOCOL_VIOLATION, String.format(
            "unexpected message type 0x%02X during COPY from stdin", type & 0xFF));
      }
    } catch (Throwable t) {
      failed(t);
    }
  }

  /** CopyDone: the last rows, then {@code COPY n} (durable first, at the end of a Query). */
  private void done() {
    reader.finish();
    String tag = cursor.commandTag();
    end();
    if (!simple()) {
      PgMessages.commandComplete(b.out.buf(), tag);
      b.clock.end();
      b.out.flush(b.session.pendingDurability(), null);
      return; // the extended protocol goes on; its Sync commits
    }
    if (next == commands.size()) {
      b.session.sync(); // durable before the client sees COPY n
    }
    b.drainNotices();
    PgMessages.commandComplete(b.out.buf(), tag);
    b.sendParameterChanges();
    b.clock.end();
    if (b.simple.run(commands, next)) {
      b.session.sync();
      b.clock.end();
      b.readyForQuery();
    }
  }

  /**
   * The COPY failed (bad data, CopyFail, a stray message, or what ran after it): the error goes
   * out now, as PostgreSQL sends it, not when the client finishes sending. Then a Query message
   * ends (ReadyForQuery) and the extended protocol skips to Sync; either way the CopyData,
   * CopyDone or CopyFail still on their way are dropped, as outside COPY.
   */
  private void failed(Throwable t) {
    end();
    b.error(t);
    if (simple()) {
      b.readyForQuery();
    } else {
      b.skipUntilSync = true;
      b.out.flush(b.session.pendingDurability(), null);
    }
  }

  /** Leaves copy-in mode, releasing the reader. */
  void end() {
    if (b.copy == this) {
      b.copy = null;
      reader.release();
      cursor.close();
    }
  }
}
