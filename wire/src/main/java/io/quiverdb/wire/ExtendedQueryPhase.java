package io.quiverdb.wire;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.CopyOut;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import io.quiverdb.wire.spi.FormatSettings;
import io.quiverdb.wire.spi.PreparedCommand;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The extended query protocol: named and unnamed prepared statements (Parse), portals (Bind)
 * that run to the end or suspend at a row limit and resume (Execute), Describe, Close, Flush and
 * Sync, which ends the implicit transaction. After an error everything up to Sync is skipped.
 *
 * <p>A portal that has run to completion answers a further Execute as PostgreSQL 15 does: a query
 * with rows gives {@code SELECT 0} (SHOW and EXPLAIN repeat their tag), any other command 55000
 * "portal cannot be run"; a portal that failed gives 25P02 in the failed block.
 */
final class ExtendedQueryPhase {
  /** A Bind result: a command with its parameters, and, once executing, its cursor. */
  private static final class Portal {
    final String name;
    final PreparedCommand command;
    final Object[] parameters;
    final short[] resultFormats;
    Cursor cursor;
    List<Field> fields;
    Object[] pending;
    boolean done;
    boolean failed;
    boolean returnsRows;
    String tag;

    Portal(String name, PreparedCommand command, Object[] parameters, short[] resultFormats) {
      this.name = name;
      this.command = command;
      this.parameters = parameters;
      this.resultFormats = resultFormats;
    }

    void close() {
      if (cursor != null) {
        Cursor c = cursor;
        cursor = null;
        c.close();
      }
    }

    QuiverException cannotRun() {
      return new QuiverException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
          "portal \"" + name + "\" cannot be run");
    }
  }

  private final Backend b;
  private final Map<String, PreparedCommand> statements = new HashMap<>();
  private final Map<String, Portal> portals = new LinkedHashMap<>();

  ExtendedQueryPhase(Backend backend) {
    this.b = backend;
  }

  void message(byte type, ByteBuf body) {
    try {
      if (type == 'H') {
        MessageReader.end(body);
        b.out.flush(b.session.pendingDurability(), null);
        return;
      }
      if (type != 'C') {
        b.clock.begin(b.statementTimeout());
      }
      switch (type) {
        case 'P' -> parse(body);
        case 'B' -> bind(body);
        case 'D' -> describe(body);
        case 'E' -> execute(body);
        default -> close(body);
      }
    } catch (Throwable t) {
      b.error(t);
      b.skipUntilSync = true;
    }
  }

  void sync(ByteBuf body) {
    b.skipUntilSync = false;
    try {
      MessageReader.end(body);
      b.session.sync();
    } catch (Throwable t) {
      b.error(t);
    }
    b.clock.end();
    if (b.session.transactionStatus() == 'I') {
      closePortals();
    }
    b.readyForQuery();
  }

  private void parse(ByteBuf body) {
    FrontendMessages.Parse p = FrontendMessages.parse(body);
    if (!p.name().isEmpty() && statements.containsKey(p.name())) {
      throw new QuiverException(SqlState.DUPLICATE_PREPARED_STATEMENT,
          "prepared statement \"" + p.name() + "\" already exists");
    }
    statements.put(p.name(), b.session.prepare(p.sql(), p.parameterTypes()));
    PgMessages.parseComplete(b.out.buf());
  }

  /** The prepared statement of that name, or null (for {@link BoundedBatch}). */
  PreparedCommand statementOrNull(String name) {
    return statements.get(name);
  }

  /** The command of the portal of that name, or null (for {@link BoundedBatch}). */
  PreparedCommand portalCommandOrNull(String name) {
    Portal p = portals.get(name);
    return p == null ? null : p.command;
  }

  private PreparedCommand statement(String name) {
    PreparedCommand s = statements.get(name);
    if (s == null) {
      throw new QuiverException(SqlState.INVALID_SQL_STATEMENT_NAME,
          "prepared statement \"" + name + "\" does not exist");
    }
    return s;
  }

  private Portal portal(String name) {
    Portal p = portals.get(name);
    if (p == null) {
      throw new QuiverException(SqlState.INVALID_CURSOR_NAME,
          "portal \"" + name + "\" does not exist");
    }
    return p;
  }

  void closeUnnamedPortal() {
    Portal p = portals.remove("");
    if (p != null) {
      p.close();
    }
  }

  private void closePortals() {
    portals.values().forEach(Portal::close);
    portals.clear();
  }

  /** The connection ended: every portal's cursor is closed. */
  void closeAll() {
    closePortals();
    statements.clear();
  }

  private void bind(ByteBuf body) {
    FrontendMessages.Bind m = FrontendMessages.bind(body);
    PreparedCommand command = statement(m.statement());
    List<ColumnType> types = command.parameterTypes();
    if (m.values().length != types.size()) {
      throw MessageReader.violation("bind message supplies " + m.values().length
          + " parameters, but prepared statement \"" + m.statement() + "\" requires "
          + types.size());
    }
    FormatSettings settings = b.session.formatSettings();
    Object[] parameters = new Object[types.size()];
    for (int i = 0; i < parameters.length; i++) {
      parameters[i] = parameter(i, m.values()[i], types.get(i),
          PgMessages.format(m.parameterFormats(), i), settings);
    }
    List<Field> fields = command.fields();
    if (fields != null && m.resultFormats().length > 1
        && m.resultFormats().length != fields.size()) {
      throw MessageReader.violation("bind message has " + m.resultFormats().length
          + " result formats but query has " + fields.size() + " columns");
    }
    if (m.portal().isEmpty()) {
      closeUnnamedPortal();
    } else if (portals.containsKey(m.portal())) {
      throw new QuiverException(SqlState.DUPLICATE_CURSOR,
          "cursor \"" + m.portal() + "\" already exists");
    }
    portals.put(m.portal(), new Portal(m.portal(), command, parameters, m.resultFormats()));
    PgMessages.bindComplete(b.out.buf());
  }

  /**
   * One Bind parameter, as PostgreSQL's exec_bind_message reads it: text must be UTF-8; a
   * binary value must be exactly as long as its type's receive function reads.
   */
  private static Object parameter(int i, ByteBuf value, ColumnType type, short format,
      FormatSettings settings) {
    if (format != 0 && format != 1) {
      throw unsupportedFormat(format);
    }
    if (value == null) {
      return null;
    }
    int length = value.readableBytes();
    if (format == 0) {
      return ValueCodec.parseText(MessageReader.utf8(value, length), type, settings);
    }
    if (isText(type.type())) {
      byte[] bytes = new byte[length];
      value.getBytes(value.readerIndex(), bytes);
      Utf8.check(bytes, 0, length, length, null);
    }
    try {
      Object v = ValueCodec.decode(value, length, type, true, settings);
      if (value.isReadable()) {
        throw incorrectBinary(i);
      }
      return v;
    } catch (QuiverException e) {
      if (e.state() == SqlState.INVALID_BINARY_REPRESENTATION
          && e.getMessage().startsWith("incorrect binary data format")) {
        throw incorrectBinary(i);
      }
      throw e;
    }
  }

  private static boolean isText(PgType t) {
    return switch (t) {
      case TEXT, VARCHAR, NAME, CHAR -> true;
      default -> false;
    };
  }

  private static QuiverException incorrectBinary(int i) {
    return new QuiverException(SqlState.INVALID_BINARY_REPRESENTATION,
        "incorrect binary data format in bind parameter " + (i + 1));
  }

  static QuiverException unsupportedFormat(int format) {
    return new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
        "unsupported format code: " + format);
  }

  private void describe(ByteBuf body) {
    FrontendMessages.Describe d = FrontendMessages.describe(body);
    if (d.kind() == 'S') {
      PreparedCommand command = statement(d.name());
      PgMessages.parameterDescription(b.out.buf(), command.parameterTypes());
      List<Field> fields = command.fields();
      if (fields == null) {
        PgMessages.noData(b.out.buf());
      } else {
        PgMessages.rowDescription(b.out.buf(), fields, null);
      }
      return;
    }
    Portal p = portal(d.name());
    List<Field> fields = p.cursor != null ? p.fields : p.command.fields();
    if (fields == null) {
      PgMessages.noData(b.out.buf());
    } else {
      ResultWriter.checkFormats(p.resultFormats, fields.size());
      PgMessages.rowDescription(b.out.buf(), fields, p.resultFormats);
    }
  }

  private void execute(ByteBuf body) {
    FrontendMessages.Execute e = FrontendMessages.execute(body);
    Portal p = portal(e.portal());
    if (p.command.isEmpty()) {
      PgMessages.emptyQueryResponse(b.out.buf());
      return;
    }
    if (p.failed || p.cursor != null && b.session.transactionStatus() == 'E') {
      if (b.session.transactionStatus() == 'E') {
        throw new QuiverException(SqlState.IN_FAILED_SQL_TRANSACTION,
            "current transaction is aborted, commands ignored until end of transaction block");
      }
      throw p.cannotRun();
    }
    if (p.done) {
      if (!p.returnsRows) {
        throw p.cannotRun();
      }
      PgMessages.commandComplete(b.out.buf(), p.tag.startsWith("SELECT") ? "SELECT 0" : p.tag);
      b.clock.end();
      return;
    }
    try {
      if (p.cursor == null && start(p)) {
        return;
      }
      p.pending = b.results.rows(p.cursor, p.fields, p.resultFormats, Math.max(e.maxRows(), 0),
          p.pending);
    } catch (RuntimeException | Error t) {
      p.close();
      p.failed = true;
      throw t;
    }
    b.drainNotices();
    if (p.pending != null) {
      PgMessages.portalSuspended(b.out.buf());
      return;
    }
    finished(p, p.cursor.commandTag(), p.fields != null);
    p.close();
  }

  /** Runs the portal's command; true when it was a COPY, which the caller leaves to itself. */
  private boolean start(Portal p) {
    Cursor executed = b.session.execute(p.command, p.parameters);
    if (executed instanceof CopyIn in) {
      p.done = true;
      p.tag = "COPY";
      CopyInPhase.start(b, in, null, 0);
      return true;
    }
    if (executed instanceof CopyOut c) {
      try (executed) {
        b.results.copyOut(c);
        finished(p, c.commandTag(), false);
      }
      return true;
    }
    p.cursor = executed;
    p.fields = executed.fields();
    if (p.fields != null) {
      ResultWriter.checkFormats(p.resultFormats, p.fields.size());
    }
    return false;
  }

  private void finished(Portal p, String tag, boolean returnsRows) {
    p.done = true;
    p.tag = tag;
    p.returnsRows = returnsRows;
    PgMessages.commandComplete(b.out.buf(), tag);
    b.clock.end();
  }

  private void close(ByteBuf body) {
    FrontendMessages.Close c = FrontendMessages.close(body);
    if (c.kind() == 'S') {
      statements.remove(c.name());
    } else {
      Portal p = portals.remove(c.name());
      if (p != null) {
        p.close();
      }
    }
    PgMessages.closeComplete(b.out.buf());
  }
}
