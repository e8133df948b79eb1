package io.quiverdb.planner;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.planner.exec.Values;
import io.quiverdb.sql.ast.Expr;
import io.quiverdb.sql.ast.Query;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.storage.ColumnDef;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.TableDef;
import io.quiverdb.storage.WriteTxn;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code INSERT … VALUES}: the hottest statement a vector database serves, so it goes from our AST
 * straight to storage. Each value is a constant, a parameter or a cast of one, converted to its
 * target column's type by PostgreSQL's assignment rules; all rows are written in one durable
 * transaction, or none is.
 */
final class InsertPlan implements PreparedQuery {
  /** How one target column gets its value in one row. */
  private sealed interface Source {}

  private record Constant(Object value) implements Source {}

  private record Param(int index) implements Source {}

  /** A string or parameter whose conversion depends on the session (time zone). */
  private record Text(String text, ColumnType castTo) implements Source {}

  private final Store store;
  private final long catalogVersion;
  private final TableDef table;
  private final List<Source[]> rows;
  private final List<ColumnType> parameterTypes;

  private InsertPlan(Store store, long catalogVersion, TableDef table, List<Source[]> rows,
      List<ColumnType> parameterTypes) {
    this.store = store;
    this.catalogVersion = catalogVersion;
    this.table = table;
    this.rows = rows;
    this.parameterTypes = parameterTypes;
  }

  static InsertPlan prepare(Store store, Statement.Insert insert, List<ColumnType> declared) {
    long version = store.catalog().version();
    if (insert.onConflict() != null) {
      throw QuiverException.notSupported("INSERT … ON CONFLICT")
          .withPosition(insert.onConflict().pos().errorPosition());
    }
    if (!insert.returning().isEmpty()) {
      throw QuiverException.notSupported("INSERT … RETURNING")
          .withPosition(insert.returning().get(0).pos().errorPosition());
    }
    TableDef table = Planner.resolveTable(store, insert.table());
    int[] targets = targetColumns(table, insert);
    if (!(insert.source() instanceof Query.Values values)) {
      throw QuiverException.notSupported("INSERT … SELECT")
          .withPosition(insert.source().pos().errorPosition());
    }
    List<ColumnType> paramTypes = new ArrayList<>();
    if (declared != null) {
      paramTypes.addAll(declared);
    }
    List<Source[]> rows = new ArrayList<>(values.rows().size());
    for (List<Expr> exprs : values.rows()) {
      if (exprs.size() > targets.length) {
        throw new QuiverException(SqlState.SYNTAX_ERROR,
            "INSERT has more expressions than target columns")
            .withPosition(exprs.get(targets.length).pos().errorPosition());
      }
      if (exprs.size() < targets.length) {
        throw new QuiverException(SqlState.SYNTAX_ERROR,
            "INSERT has more target columns than expressions")
            .withPosition(exprs.isEmpty() ? 0 : exprs.get(0).pos().errorPosition());
      }
      Source[] row = new Source[table.columns().size()];
      Arrays.fill(row, new Constant(null));
      for (int i = 0; i < exprs.size(); i++) {
        ColumnDef column = table.columns().get(targets[i]);
        row[targets[i]] = source(exprs.get(i), column.type(), paramTypes);
      }
      rows.add(row);
    }
    for (int i = 0; i < paramTypes.size(); i++) {
      if (paramTypes.get(i) == null || paramTypes.get(i).type() == PgType.UNKNOWN) {
        paramTypes.set(i, ColumnType.TEXT);
      }
    }
    return new InsertPlan(store, version, table, rows, List.copyOf(paramTypes));
  }

  private static int[] targetColumns(TableDef table, Statement.Insert insert) {
    if (insert.columns().isEmpty()) {
      int[] all = new int[table.columns().size()];
      Arrays.setAll(all, i -> i);
      return all;
    }
    int[] targets = new int[insert.columns().size()];
    for (int i = 0; i < targets.length; i++) {
      String name = insert.columns().get(i);
      int c = table.columnIndex(name);
      if (c < 0) {
        throw new QuiverException(SqlState.UNDEFINED_COLUMN, "column \"" + name
            + "\" of relation \"" + table.name() + "\" does not exist");
      }
      for (int j = 0; j < i; j++) {
        if (targets[j] == c) {
          throw new QuiverException(SqlState.DUPLICATE_COLUMN,
              "column \"" + name + "\" specified more than once");
        }
      }
      targets[i] = c;
    }
    return targets;
  }

  /** Resolves one VALUES expression for a column; conversion errors point at the expression. */
  private static Source source(Expr e, ColumnType target, List<ColumnType> paramTypes) {
    try {
      return resolve(e, target, paramTypes);
    } catch (QuiverException x) {
      throw x.position() > 0 ? x : x.withPosition(e.pos().errorPosition());
    }
  }

  private static Source resolve(Expr e, ColumnType target, List<ColumnType> paramTypes) {
    if (e instanceof Expr.Parameter p) {
      int i = p.index() - 1;
      while (paramTypes.size() <= i) {
        paramTypes.add(null);
      }
      ColumnType declared = paramTypes.get(i);
      if (declared == null || declared.type() == PgType.UNKNOWN) {
        paramTypes.set(i, target);
        return new Param(i);
      }
      return declared.equals(target) ? new Param(i) : new ParamCast(i, declared, target);
    }
    if (e instanceof Expr.Literal l) {
      return switch (l.kind()) {
        case NULL -> new Constant(null);
        case STRING -> isZoneDependent(target) ? new Text(l.text(), target)
            : new Constant(Values.convert(l.text(), PgType.UNKNOWN, target, false, null));
        case BOOLEAN -> new Constant(Values.convert(Boolean.valueOf(l.text()), PgType.BOOL,
            target, false, null));
        case INTEGER, DECIMAL -> new Constant(number(l.text(), target));
      };
    }
    if (e instanceof Expr.Unary u && u.op() == Expr.UnaryOp.NEGATE
        && u.operand() instanceof Expr.Literal l
        && (l.kind() == Expr.LiteralKind.INTEGER || l.kind() == Expr.LiteralKind.DECIMAL)) {
      return new Constant(number("-" + l.text(), target));
    }
    if (e instanceof Expr.Cast c) {
      ColumnType castTo = TypeNames.columnType(c.type());
      Source inner = resolve(c.operand(), castTo, paramTypes);
      if (inner instanceof Constant k) {
        return new Constant(Values.convert(k.value(), castTo.type(), target, false, null));
      }
      if (castTo.type() == target.type()) {
        return inner;
      }
    }
    throw QuiverException.notSupported(
        "expressions other than constants and parameters in INSERT … VALUES");
  }

  /** A parameter the client declared with another type than its column's. */
  private record ParamCast(int index, ColumnType from, ColumnType to) implements Source {}

  private static boolean isZoneDependent(ColumnType t) {
    return t.type() == PgType.TIMESTAMPTZ;
  }

  private static Object number(String text, ColumnType target) {
    boolean integral = text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
    Object n;
    if (integral) {
      try {
        n = Long.parseLong(text);
      } catch (NumberFormatException e) {
        n = new java.math.BigDecimal(text);
      }
    } else {
      n = new java.math.BigDecimal(text);
    }
    PgType from = n instanceof Long ? PgType.INT8 : PgType.NUMERIC;
    return switch (target.type()) {
      case INT2, INT4, INT8, FLOAT4, FLOAT8, NUMERIC, TEXT, VARCHAR ->
          Values.convert(n, from, target, false, null);
      default -> throw new QuiverException(SqlState.DATATYPE_MISMATCH, "column is of type "
          + target.displayName() + " but expression is of type "
          + (integral ? "integer" : "numeric"));
    };
  }

  @Override
  public List<ColumnType> parameterTypes() {
    return parameterTypes;
  }

  @Override
  public List<ResultColumn> columns() {
    return null;
  }

  @Override
  public QueryResult execute(Object[] parameters, SessionContext session) {
    ZoneId zone = session == null ? ZoneId.of("UTC") : session.timeZone();
    try (WriteTxn txn = store.beginWrite()) {
      for (Source[] sources : rows) {
        Object[] row = new Object[sources.length];
        for (int i = 0; i < row.length; i++) {
          row[i] = value(sources[i], parameters, table.columns().get(i).type(), zone);
        }
        txn.insert(table, row);
      }
      txn.commit();
    }
    return Results.command("INSERT 0 " + rows.size());
  }

  private static Object value(Source s, Object[] parameters, ColumnType type, ZoneId zone) {
    if (s instanceof Constant c) {
      return c.value();
    }
    if (s instanceof Param p) {
      return Values.convert(parameters[p.index()], type.type(), type, false, zone);
    }
    if (s instanceof ParamCast p) {
      return Values.convert(parameters[p.index()], p.from().type(), p.to(), false, zone);
    }
    Text t = (Text) s;
    return Values.convert(t.text(), PgType.UNKNOWN, t.castTo(), false, zone);
  }

  @Override
  public boolean isValid() {
    return store.catalog().version() == catalogVersion;
  }
}
