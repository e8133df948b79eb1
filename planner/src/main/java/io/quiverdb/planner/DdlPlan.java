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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CREATE TABLE and DROP TABLE, executed directly against the session's transaction: the change is
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
    return dropTable((Statement.DropTable) statement, session);
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
