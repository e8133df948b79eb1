package io.quiverdb.server;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.planner.PreparedQuery;
import io.quiverdb.planner.QueryResult;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.sql.parser.ParsedStatement;
import io.quiverdb.storage.TableDef;
import io.quiverdb.storage.Transaction;
import io.quiverdb.wire.spi.CopyFormat;
import io.quiverdb.wire.spi.CopyIn;
import io.quiverdb.wire.spi.CopyOut;
import io.quiverdb.wire.spi.Cursor;
import io.quiverdb.wire.spi.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code COPY … FROM STDIN} and {@code COPY … TO STDOUT} for a session: the table and columns,
 * and the cursors the wire drives (the wire parses and prints the data). Rows from STDIN go into
 * the session's transaction as they arrive, so the COPY commits (durably, before {@code COPY n}
 * is sent) or fails as a whole, as one INSERT would; inside a transaction block it is part of
 * the block. {@link CopyOptions} reads the options.
 */
final class CopyCommands {
  private CopyCommands() {}

  static Cursor start(ServerSession session, Statement.Copy copy) {
    CopyFormat format = CopyOptions.format(copy.options(), copy.from());
    if (copy.from()) {
      if (copy.query() != null) {
        throw new QuiverException(SqlState.SYNTAX_ERROR, "syntax error at or near \"FROM\"")
            .withPosition(copy.pos().errorPosition());
      }
      return copyIn(session, copy, format);
    }
    return copyOut(session, copy, format);
  }

  private static CopyIn copyIn(ServerSession session, Statement.Copy copy, CopyFormat format) {
    TableDef table = table(session, copy);
    int[] targets = columns(table, copy.columns());
    List<ColumnType> types = new ArrayList<>(targets.length);
    List<String> names = new ArrayList<>(targets.length);
    for (int c : targets) {
      types.add(table.columns().get(c).type());
      names.add(table.columns().get(c).name());
    }
    Transaction txn = session.transaction();
    int width = table.columns().size();
    boolean allInOrder = targets.length == width && isIdentity(targets);
    return new CopyIn() {
      private long rows;

      @Override
      public CopyFormat format() {
        return format;
      }

      @Override
      public List<ColumnType> columnTypes() {
        return types;
      }

      @Override
      public List<String> columnNames() {
        return names;
      }

      @Override
      public String target() {
        return table.name();
      }

      @Override
      public void row(Object[] values) {
        Object[] row = values;
        if (!allInOrder) {
          row = new Object[width];
          for (int i = 0; i < targets.length; i++) {
            row[targets[i]] = values[i];
          }
        }
        txn.insert(table, row);
        rows++;
      }

      @Override
      public List<Field> fields() {
        return null;
      }

      @Override
      public Object[] next() {
        return null;
      }

      @Override
      public String commandTag() {
        return "COPY " + rows;
      }

      @Override
      public void close() {}
    };
  }

  private static boolean isIdentity(int[] targets) {
    for (int i = 0; i < targets.length; i++) {
      if (targets[i] != i) {
        return false;
      }
    }
    return true;
  }

  /** COPY TO: the query's rows, or the table's (its named columns) through a plain SELECT. */
  private static CopyOut copyOut(ServerSession session, Statement.Copy copy, CopyFormat format) {
    Statement.QueryStatement query;
    if (copy.query() != null) {
      query = new Statement.QueryStatement(copy.query(), copy.pos());
    } else {
      TableDef table = table(session, copy);
      StringBuilder sql = new StringBuilder("SELECT ");
      int[] targets = columns(table, copy.columns());
      for (int i = 0; i < targets.length; i++) {
        sql.append(i == 0 ? "" : ", ").append(quote(table.columns().get(targets[i]).name()));
      }
      sql.append(" FROM ").append(quote(table.name()));
      query = (Statement.QueryStatement) io.quiverdb.sql.parser.SqlParser.parse(sql.toString())
          .get(0).statement();
    }
    PreparedQuery plan = session.planner().prepare(new ParsedStatement(query, "", 0), List.of(),
        session);
    QueryResult result = plan.execute(new Object[0], session);
    List<Field> fields = Command.toFields(plan.columns());
    return new CopyOut() {
      private long rows;

      @Override
      public CopyFormat format() {
        return format;
      }

      @Override
      public List<Field> fields() {
        return fields;
      }

      @Override
      public Object[] next() {
        Object[] row = result.next();
        if (row != null) {
          rows++;
        }
        return row;
      }

      @Override
      public String commandTag() {
        return "COPY " + rows;
      }

      @Override
      public void close() {
        result.close();
      }
    };
  }

  private static TableDef table(ServerSession session, Statement.Copy copy) {
    String schema = copy.table().schema();
    if (schema != null && !schema.equals("public")) {
      throw new QuiverException(SqlState.INVALID_SCHEMA_NAME,
          "schema \"" + schema + "\" does not exist")
          .withPosition(copy.table().pos().errorPosition());
    }
    return session.catalog().table("public", copy.table().name()).orElseThrow(() ->
        new QuiverException(SqlState.UNDEFINED_TABLE,
            "relation \"" + copy.table() + "\" does not exist"));
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The table's column indexes a COPY names (all, in order, when none are named). */
  private static int[] columns(TableDef table, List<String> names) {
    if (names.isEmpty()) {
      int[] all = new int[table.columns().size()];
      Arrays.setAll(all, i -> i);
      return all;
    }
    int[] out = new int[names.size()];
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < out.length; i++) {
      String n = names.get(i);
      out[i] = table.columnIndex(n);
      if (out[i] < 0) {
        throw new QuiverException(SqlState.UNDEFINED_COLUMN, "column \"" + n
            + "\" of relation \"" + table.name() + "\" does not exist");
      }
      if (!seen.add(n)) {
        throw new QuiverException(SqlState.DUPLICATE_COLUMN,
            "column \"" + n + "\" specified more than once");
      }
    }
    return out;
  }
}
