package io.quiverdb.planner;

import io.quiverdb.common.Notice;
import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.sql.ast.QualifiedName;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.storage.ColumnDef;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.TableDef;
import io.quiverdb.common.vector.Metric;
import io.quiverdb.storage.IndexDef;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.Optional;

/**
 * CREATE/DROP TABLE and CREATE/DROP INDEX, executed directly against the session's transaction: the change is
 * visible to the transaction at once and to everyone when it commits, atomically with its rows.
 * Names are resolved when the statement runs, not when it is prepared.
 */
final class DdlPlan implements PreparedQuery {
  private final Store store;
  private final Statement statement;

  DdlPlan(Store store, Statement statement) {
    this.store = store;
    this.statement = statement;
    if (statement instanceof Statement.CreateTable ct) {
      columnDefs(ct); // type errors surface at prepare time, as in PostgreSQL
    }
  }

  @Override
  public List<ColumnType> parameterTypes() {
    return List.of();
  }

  @Override
  public List<ResultColumn> columns() {
    return null;
  }

  @Override
  public boolean isValid(io.quiverdb.storage.CatalogView catalog) {
    return true;
  }

  @Override
  public QueryResult execute(Object[] parameters, SessionContext session) {
    if (statement instanceof Statement.CreateTable ct) {
      return createTable(ct, session);
    }
    if (statement instanceof Statement.CreateIndex ci) {
      return createIndex(ci, session);
    }
    if (statement instanceof Statement.DropIndex di) {
      return dropIndex(di, session);
    }
    return dropTable((Statement.DropTable) statement, session);
  }

  /**
   * CREATE INDEX … USING hnsw, with pgvector's operator classes, options, defaults and messages.
   * The build runs when the transaction commits, and the commit returns once it is done.
   */
  private QueryResult createIndex(Statement.CreateIndex ci, SessionContext session) {
    TableDef table = Planner.resolveTable(session.catalog(), ci.table());
    String method = ci.method() == null ? "btree" : ci.method().toLowerCase(Locale.ROOT);
    if (!method.equals("hnsw")) {
      if (List.of("btree", "hash", "gist", "gin", "spgist", "brin", "ivfflat").contains(method)) {
        throw QuiverException.notSupported("index access method \"" + method + "\"")
            .withPosition(ci.pos().errorPosition());
      }
      throw new QuiverException(SqlState.UNDEFINED_OBJECT,
          "access method \"" + method + "\" does not exist");
    }
    int column = table.columnIndex(ci.column());
    if (column < 0) {
      throw new QuiverException(SqlState.UNDEFINED_COLUMN,
          "column \"" + ci.column() + "\" does not exist");
    }
    ColumnType type = table.columns().get(column).type();
    if (type.type() != io.quiverdb.common.types.PgType.VECTOR) {
      throw new QuiverException(SqlState.UNDEFINED_OBJECT, "data type "
          + type.displayName() + " has no default operator class for access method"
          + " \"hnsw\"");
    }
    Metric metric = Metric.L2;
    if (ci.opclass() != null) {
      metric = Metric.ofOpclass(ci.opclass()).orElseThrow(() -> new QuiverException(
          SqlState.UNDEFINED_OBJECT, "operator class \"" + ci.opclass()
              + "\" does not exist for access method \"hnsw\""));
    }
    if (type.modifier() <= 0) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "column does not have dimensions");
    }
    int m = IndexDef.DEFAULT_M;
    int efConstruction = IndexDef.DEFAULT_EF_CONSTRUCTION;
    for (Map.Entry<String, String> o : ci.options().entrySet()) {
      switch (o.getKey()) {
        case "m" -> m = option(o, IndexDef.MIN_M, IndexDef.MAX_M);
        case "ef_construction" -> efConstruction = option(o, IndexDef.MIN_EF_CONSTRUCTION,
            IndexDef.MAX_EF_CONSTRUCTION);
        default -> throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
            "unrecognized parameter \"" + o.getKey() + "\"");
      }
    }
    if (efConstruction < 2 * m) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "ef_construction must be greater than or equal to 2 * m");
    }
    IndexDef created = session.transaction().createIndex(table, ci.name(), column, metric, m,
        efConstruction, ci.ifNotExists());
    if (created == null) {
      session.notice(new Notice("NOTICE", SqlState.DUPLICATE_TABLE,
          "relation \"" + ci.name() + "\" already exists, skipping"));
    }
    return Results.command("CREATE INDEX");
  }

  private static int option(Map.Entry<String, String> o, int min, int max) {
    int v;
    try {
      v = Integer.parseInt(o.getValue());
    } catch (NumberFormatException e) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "invalid value for integer option \"" + o.getKey() + "\": " + o.getValue());
    }
    if (v < min || v > max) {
      throw new QuiverException(SqlState.INVALID_PARAMETER_VALUE,
          "value " + v + " out of bounds for option \"" + o.getKey() + "\"",
          "Valid values are between \"" + min + "\" and \"" + max + "\".", null, 0);
    }
    return v;
  }

  private QueryResult dropIndex(Statement.DropIndex drop, SessionContext session) {
    for (QualifiedName n : drop.names()) {
      if (!session.transaction().dropIndex(Planner.schemaOf(n), n.name())) {
        if (!drop.ifExists()) {
          throw new QuiverException(SqlState.UNDEFINED_OBJECT,
              "index \"" + n.name() + "\" does not exist");
        }
        session.notice(new Notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION,
            "index \"" + n.name() + "\" does not exist, skipping"));
      }
    }
    return Results.command("DROP INDEX");
  }

  private QueryResult createTable(Statement.CreateTable ct, SessionContext session) {
    String schema = Planner.schemaOf(ct.name());
    String name = ct.name().name();
    if (ct.ifNotExists() && session.catalog().table(schema, name).isPresent()) {
      session.notice(new Notice("NOTICE", SqlState.DUPLICATE_TABLE,
          "relation \"" + name + "\" already exists, skipping"));
      return Results.command("CREATE TABLE");
    }
    List<ColumnDef> columns = columnDefs(ct);
    List<Integer> primaryKey = primaryKey(ct, columns);
    session.transaction().createTable(schema, name, columns, primaryKey);
    return Results.command("CREATE TABLE");
  }

  private static List<ColumnDef> columnDefs(Statement.CreateTable ct) {
    List<ColumnDef> columns = new ArrayList<>();
    for (Statement.ColumnDefinition c : ct.columns()) {
      if (c.defaultValue() != null) {
        throw QuiverException.notSupported("column defaults")
            .withPosition(c.defaultValue().pos().errorPosition());
      }
      columns.add(new ColumnDef(c.name(), TypeNames.columnType(c.type()),
          c.notNull() || c.primaryKey()));
    }
    if (columns.isEmpty()) {
      throw QuiverException.notSupported("tables without columns")
          .withPosition(ct.pos().errorPosition());
    }
    return columns;
  }

  private static List<Integer> primaryKey(Statement.CreateTable ct, List<ColumnDef> columns) {
    List<Integer> key = new ArrayList<>();
    for (int i = 0; i < ct.columns().size(); i++) {
      if (ct.columns().get(i).primaryKey()) {
        if (!key.isEmpty()) {
          throw multiplePrimaryKeys(ct);
        }
        key.add(i);
      }
    }
    if (!ct.primaryKey().isEmpty()) {
      if (!key.isEmpty()) {
        throw multiplePrimaryKeys(ct);
      }
      for (String name : ct.primaryKey()) {
        int index = -1;
        for (int i = 0; i < columns.size(); i++) {
          if (columns.get(i).name().equals(name)) {
            index = i;
          }
        }
        if (index < 0) {
          throw new QuiverException(SqlState.UNDEFINED_COLUMN,
              "column \"" + name + "\" named in key does not exist");
        }
        key.add(index);
      }
    }
    for (int i : key) {
      if (columns.get(i).type().type() == io.quiverdb.common.types.PgType.VECTOR) {
        throw QuiverException.notSupported("a vector column in a primary key");
      }
    }
    return key;
  }

  private static QuiverException multiplePrimaryKeys(Statement.CreateTable ct) {
    return new QuiverException(SqlState.INVALID_TABLE_DEFINITION,
        "multiple primary keys for table \"" + ct.name().name() + "\" are not allowed");
  }

  private QueryResult dropTable(Statement.DropTable drop, SessionContext session) {
    List<TableDef> found = new ArrayList<>();
    for (QualifiedName n : drop.names()) {
      Optional<TableDef> t = session.catalog().table(Planner.schemaOf(n), n.name());
      if (t.isPresent()) {
        found.add(t.get());
      } else if (drop.ifExists()) {
        session.notice(new Notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION,
            "table \"" + n.name() + "\" does not exist, skipping"));
      } else {
        throw new QuiverException(SqlState.UNDEFINED_TABLE,
            "table \"" + n.name() + "\" does not exist");
      }
    }
    for (TableDef t : found) {
      session.transaction().dropTable(t);
    }
    return Results.command("DROP TABLE");
  }
}
