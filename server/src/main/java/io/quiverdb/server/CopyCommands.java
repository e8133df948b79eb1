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
import io.quiverdb.wire.spi.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code COPY … FROM STDIN} and {@code COPY … TO STDOUT} for a session: the options as PostgreSQL
 * reads them, the target columns, and the cursors the wire drives. Rows from STDIN go into the
 * session's transaction, so the COPY commits (durably, before {@code COPY n} is sent) or fails as
 * a whole, as one INSERT would.
 */
final class CopyCommands {
  private CopyCommands() {}

  static io.quiverdb.wire.spi.Cursor start(ServerSession session, Statement.Copy copy) {
    CopyFormat format = format(copy.options(), copy.from());
    if (copy.from()) {
      if (copy.query() == null) {
        return copyIn(session, copy, format);
      }
      throw new QuiverException(SqlState.SYNTAX_ERROR, "COPY (query) FROM is not allowed")
          .withPosition(copy.pos().errorPosition());
    }
    return copyOut(session, copy, format);
  }

  private static CopyIn copyIn(ServerSession session, Statement.Copy copy, CopyFormat format) {
    TableDef table = session.catalog().table(schemaOf(copy), copy.table().name())
        .orElseThrow(() -> new QuiverException(SqlState.UNDEFINED_TABLE,
            "relation \"" + copy.table() + "\" does not exist"));
    int[] targets = columns(table, copy.columns());
    List<ColumnType> types = new ArrayList<>(targets.length);
    for (int c : targets) {
      types.add(table.columns().get(c).type());
    }
    Transaction txn = session.transaction();
    int width = table.columns().size();
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
      public String target() {
        return table.name();
      }

      @Override
      public void row(Object[] values) {
        Object[] row = values;
        if (targets.length != width || !identity(targets)) {
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

  private static boolean identity(int[] targets) {
    for (int i = 0; i < targets.length; i++) {
      if (targets[i] != i) {
        return false;
      }
    }
    return true;
  }

  private static CopyOut copyOut(ServerSession session, Statement.Copy copy, CopyFormat format) {
    Statement.QueryStatement query;
    if (copy.query() != null) {
      query = new Statement.QueryStatement(copy.query(), copy.pos());
    } else {
      TableDef table = session.catalog().table(schemaOf(copy), copy.table().name())
          .orElseThrow(() -> new QuiverException(SqlState.UNDEFINED_TABLE,
              "relation \"" + copy.table() + "\" does not exist"));
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

  private static String schemaOf(Statement.Copy copy) {
    String schema = copy.table().schema();
    if (schema != null && !schema.equals("public")) {
      throw new QuiverException(SqlState.INVALID_SCHEMA_NAME,
          "schema \"" + schema + "\" does not exist");
    }
    return "public";
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The table's column indexes a COPY names (all, in order, when none are named). */
  private static int[] columns(TableDef table, List<String> names) {
    if (names.isEmpty()) {
      int[] all = new int[table.columns().size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] out = new int[names.size()];
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < out.length; i++) {
      String n = names.get(i);
      if (!seen.add(n)) {
        throw new QuiverException(SqlState.DUPLICATE_COLUMN,
            "column \"" + n + "\" specified more than once");
      }
      out[i] = table.columnIndex(n);
      if (out[i] < 0) {
        throw new QuiverException(SqlState.UNDEFINED_COLUMN, "column \"" + n
            + "\" of relation \"" + table.name() + "\" does not exist");
      }
    }
    return out;
  }

  /** The format COPY's options ask for, with PostgreSQL's defaults and checks. */
  static CopyFormat format(Map<String, String> options, boolean from) {
    String kindName = options.getOrDefault("format", "text").toLowerCase(Locale.ROOT);
    CopyFormat.Kind kind = switch (kindName) {
      case "text" -> CopyFormat.Kind.TEXT;
      case "csv" -> CopyFormat.Kind.CSV;
      case "binary" -> CopyFormat.Kind.BINARY;
      default -> throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "COPY format \"" + kindName + "\" not recognized");
    };
    for (String k : options.keySet()) {
      if (!Set.of("format", "delimiter", "null", "header", "quote", "escape").contains(k)) {
        throw new QuiverException(SqlState.SYNTAX_ERROR, "option \"" + k + "\" not recognized");
      }
    }
    boolean csv = kind == CopyFormat.Kind.CSV;
    if (kind == CopyFormat.Kind.BINARY && (options.containsKey("delimiter")
        || options.containsKey("null") || options.containsKey("header"))) {
      throw new QuiverException(SqlState.SYNTAX_ERROR,
          "cannot specify DELIMITER, NULL or HEADER in BINARY mode");
    }
    if (!csv && (options.containsKey("quote") || options.containsKey("escape"))) {
      throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
          "COPY quote and escape are available only in CSV mode");
    }
    char delimiter = oneChar(options.getOrDefault("delimiter", csv ? "," : "\t"), "delimiter");
    char quote = oneChar(options.getOrDefault("quote", "\""), "quote");
    char escape = oneChar(options.getOrDefault("escape", String.valueOf(quote)), "escape");
    String nullString = options.getOrDefault("null", csv ? "" : "\\N");
    String header = options.getOrDefault("header", "false").toLowerCase(Locale.ROOT);
    boolean hasHeader = switch (header) {
      case "true", "on", "1", "yes" -> true;
      case "false", "off", "0", "no" -> false;
      default -> throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "header requires a Boolean value");
    };
    return new CopyFormat(kind, delimiter, nullString, hasHeader, quote, escape);
  }

  private static char oneChar(String s, String what) {
    if (s.length() != 1 || s.charAt(0) > 127) {
      throw new QuiverException(SqlState.FEATURE_NOT_SUPPORTED,
          "COPY " + what + " must be a single one-byte character");
    }
    return s.charAt(0);
  }
}
