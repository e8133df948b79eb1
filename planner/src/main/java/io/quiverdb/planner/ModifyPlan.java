package io.quiverdb.planner;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.planner.exec.ExecContext;
import io.quiverdb.planner.exec.ExecNode;
import io.quiverdb.planner.exec.RowIterator;
import io.quiverdb.planner.exec.Values;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.TableDef;
import io.quiverdb.storage.Transaction;
import java.util.List;

/**
 * UPDATE or DELETE: the rows Calcite's plan selects (a scan of the target table, filtered and, for
 * UPDATE, projected to the old columns followed by the new values) are rewritten or deleted by
 * their row id in the session's transaction.
 */
final class ModifyPlan implements PreparedQuery {
  private final Store store;
  private final long catalogVersion;
  private final TableDef table;
  private final ExecNode source;
  private final boolean delete;
  /** For UPDATE: the table column each new value replaces, and the value's engine type. */
  private final int[] updateColumns;
  private final PgType[] valueTypes;
  private final List<ColumnType> parameterTypes;

  ModifyPlan(Store store, long catalogVersion, TableDef table, ExecNode source, boolean delete,
      int[] updateColumns, PgType[] valueTypes, List<ColumnType> parameterTypes) {
    this.store = store;
    this.catalogVersion = catalogVersion;
    this.table = table;
    this.source = source;
    this.delete = delete;
    this.updateColumns = updateColumns;
    this.valueTypes = valueTypes;
    this.parameterTypes = List.copyOf(parameterTypes);
  }

  ExecNode source() {
    return source;
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
    long count = 0;
    int width = table.columns().size();
    try (ExecContext ctx = new ExecContext(store, parameters, session);
        RowIterator rows = source.open(ctx)) {
      Transaction txn = ctx.transaction();
      Object[] row;
      while ((row = rows.next()) != null) {
        ctx.checkCancelled();
        long key = ctx.currentRowId();
        if (delete) {
          txn.delete(table, key);
        } else {
          Object[] updated = java.util.Arrays.copyOf(row, width);
          for (int i = 0; i < updateColumns.length; i++) {
            int c = updateColumns[i];
            updated[c] = Values.convert(row[width + i], valueTypes[i],
                table.columns().get(c).type(), false, ctx.timeZone());
          }
          txn.update(table, key, updated);
        }
        count++;
      }
    }
    return Results.command((delete ? "DELETE " : "UPDATE ") + count);
  }

  @Override
  public boolean isValid(io.quiverdb.storage.CatalogView catalog) {
    return catalog.version() == catalogVersion;
  }
}
