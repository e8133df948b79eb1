package io.quiverdb.planner;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.planner.exec.Values;
import io.quiverdb.sql.ast.Expr;
import io.quiverdb.sql.ast.Query;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.ColumnDef;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.TableDef;
import io.quiverdb.storage.Transaction;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code INSERT … VALUES}: the hottest statement a vector database serves, so it goes from our AST
 * straight to storage. Each value is a constant, a parameter or a cast of one, converted to its
 * target column's type by PostgreSQL's assignment rules. The rows go into the session's
 * transaction. {@code ON CONFLICT (pk) DO NOTHING} skips a row whose key exists, {@code DO UPDATE
 * SET col = EXCLUDED.col, …} (an upsert) rewrites that row.
 */
final class InsertPlan implements PreparedQuery {
  /** How one target column gets its value in one row. */
  private sealed interface Source {}

  private record Constant(Object value) implements Source {}

  private record Param(int index) implements Source {}

  /** A string or parameter whose conversion depends on the session (time zone). */
  private record Text(String text, ColumnType castTo) implements Source {}

  /** A value of ON CONFLICT DO UPDATE SET taken from the proposed row ({@code EXCLUDED.col}). */
  private record Excluded(int column) implements Source {}

  /** A value of ON CONFLICT DO UPDATE SET taken from the existing row ({@code t.col}). */
  private record Existing(int column) implements Source {}

  /** What to do with a row whose primary key exists: fail (no clause), skip, or update it. */
  private enum Conflict { FAIL, NOTHING, UPDATE }

  private final long catalogVersion;
  private final TableDef table;
  private final List<Source[]> rows;
  private final List<ColumnType> parameterTypes;
  private final Conflict conflict;
  /** For DO UPDATE: the new value of every column (unassigned ones keep the existing value). */
  private final Source[] update;

  private InsertPlan(long catalogVersion, TableDef table, List<Source[]> rows,
      List<ColumnType> parameterTypes, Conflict conflict, Source[] update) {
    this.catalogVersion = catalogVersion;
    this.table = table;
    this.rows = rows;
    this.parameterTypes = parameterTypes;
    this.conflict = conflict;
    this.update = update;
  }

  static InsertPlan prepare(Store store, CatalogView catalog, Statement.Insert insert,
      List<ColumnType> declared, io.quiverdb.planner.calcite.PlanningBudget budget) {
    long version = catalog.version();
    if (!insert.returning().isEmpty()) {
      throw QuiverException.notSupported("INSERT … RETURNING")
          .withPosition(insert.returning().get(0).pos().errorPosition());
    }
    TableDef table = Planner.resolveTable(catalog, insert.table());
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
      budget.tick();
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
    Conflict conflict = Conflict.FAIL;
    Source[] update = null;
    Statement.OnConflict oc = insert.onConflict();
    if (oc != null) {
      checkConflictTarget(table, oc);
      conflict = oc.doNothing() ? Conflict.NOTHING : Conflict.UPDATE;
      if (!oc.doNothing()) {
        update = updateSources(table, insert, oc, paramTypes);
      }
    }
    for (int i = 0; i < paramTypes.size(); i++) {
      if (paramTypes.get(i) == null || paramTypes.get(i).type() == PgType.UNKNOWN) {
        paramTypes.set(i, ColumnType.TEXT);
      }
    }
    return new InsertPlan(version, table, rows, List.copyOf(paramTypes), conflict, update);
  }

  /** ON CONFLICT needs the primary key: its columns, or none named (then DO NOTHING only). */
  private static void checkConflictTarget(TableDef table, Statement.OnConflict oc) {
    if (oc.columns().isEmpty() && oc.doNothing() && table.hasPrimaryKey()) {
      return;
    }
    if (oc.columns().isEmpty() && !oc.doNothing()) {
      throw new QuiverException(SqlState.SYNTAX_ERROR,
          "ON CONFLICT DO UPDATE requires inference specification or constraint name",
          null, "For example, ON CONFLICT (column_name).", oc.pos().errorPosition());
    }
    java.util.Set<Integer> named = new java.util.HashSet<>();
    for (String c : oc.columns()) {
      int i = table.columnIndex(c);
      if (i < 0) {
        throw new QuiverException(SqlState.UNDEFINED_COLUMN, "column \"" + c + "\" does not exist")
            .withPosition(oc.pos().errorPosition());
      }
      named.add(i);
    }
    if (!table.hasPrimaryKey() || !named.equals(new java.util.HashSet<>(table.primaryKey()))) {
      throw new QuiverException(SqlState.INVALID_COLUMN_REFERENCE, "there is no unique or"
          + " exclusion constraint matching the ON CONFLICT specification")
          .withPosition(oc.pos().errorPosition());
    }
  }

  /** DO UPDATE SET: each column's new value, from EXCLUDED, the existing row, or a constant. */
  private static Source[] updateSources(TableDef table, Statement.Insert insert,
      Statement.OnConflict oc, List<ColumnType> paramTypes) {
    if (oc.where() != null) {
      throw QuiverException.notSupported("ON CONFLICT DO UPDATE … WHERE")
          .withPosition(oc.where().pos().errorPosition());
    }
    Source[] out = new Source[table.columns().size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = new Existing(i);
    }
    String alias = insert.table().name();
    for (Statement.Assignment a : oc.assignments()) {
      int c = table.columnIndex(a.column());
      if (c < 0) {
        throw new QuiverException(SqlState.UNDEFINED_COLUMN, "column \"" + a.column()
            + "\" of relation \"" + table.name() + "\" does not exist")
            .withPosition(a.pos().errorPosition());
      }
      if (table.primaryKey().contains(c)) {
        throw QuiverException.notSupported("ON CONFLICT DO UPDATE of a primary key column")
            .withPosition(a.pos().errorPosition());
      }
      if (a.value() instanceof Expr.ColumnRef ref) {
        List<String> parts = ref.parts();
        String col = parts.get(parts.size() - 1);
        int from = table.columnIndex(col);
        if (from < 0) {
          throw new QuiverException(SqlState.UNDEFINED_COLUMN,
              "column \"" + String.join(".", parts) + "\" does not exist")
              .withPosition(ref.pos().errorPosition());
        }
        if (!table.columns().get(from).type().equals(table.columns().get(c).type())) {
          throw QuiverException.notSupported("ON CONFLICT DO UPDATE from a column of another type")
              .withPosition(ref.pos().errorPosition());
        }
        if (parts.size() == 2 && parts.get(0).equals("excluded")) {
          out[c] = new Excluded(from);
          continue;
        }
        if (parts.size() == 1 || (parts.size() == 2 && parts.get(0).equals(alias))) {
          out[c] = new Existing(from);
          continue;
        }
        throw new QuiverException(SqlState.UNDEFINED_TABLE, "missing FROM-clause entry for table \""
            + parts.get(0) + "\"").withPosition(ref.pos().errorPosition());
      }
      out[c] = source(a.value(), table.columns().get(c).type(), paramTypes);
    }
    return out;
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
    ZoneId zone = session.timeZone();
    Transaction txn = session.transaction();
    long count = 0;
    io.quiverdb.common.CancelToken cancel = session.cancelToken();
    int written = 0;
    for (Source[] sources : rows) {
      if ((++written & 1023) == 0) {
        cancel.check();
      }
      Object[] row = new Object[sources.length];
      for (int i = 0; i < row.length; i++) {
        row[i] = value(sources[i], parameters, table.columns().get(i).type(), zone);
      }
      if (conflict == Conflict.FAIL) {
        txn.insert(table, row);
        count++;
      } else if (txn.tryInsert(table, row)) {
        count++;
      } else if (conflict == Conflict.UPDATE) {
        long id = txn.find(table, primaryKeyOf(row));
        Object[] existing = txn.row(table, id);
        Object[] updated = new Object[row.length];
        for (int i = 0; i < updated.length; i++) {
          Source s = update[i];
          updated[i] = s instanceof Existing e ? existing[e.column()]
              : s instanceof Excluded x ? row[x.column()]
              : value(s, parameters, table.columns().get(i).type(), zone);
        }
        txn.update(table, id, updated);
        count++;
      }
    }
    return Results.command("INSERT 0 " + count);
  }

  private Object[] primaryKeyOf(Object[] row) {
    List<Integer> pk = table.primaryKey();
    Object[] values = new Object[pk.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row[pk.get(i)];
    }
    return values;
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
  public boolean isValid(CatalogView catalog) {
    return catalog.version() == catalogVersion;
  }
}
