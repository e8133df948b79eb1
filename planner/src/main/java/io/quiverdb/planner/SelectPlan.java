package io.quiverdb.planner;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.planner.exec.ExecContext;
import io.quiverdb.planner.exec.ExecNode;
import io.quiverdb.planner.exec.RowIterator;
import io.quiverdb.storage.Store;
import java.util.List;

/** A query planned through Calcite: an operator tree run once per execution. */
final class SelectPlan implements PreparedQuery {
  private final Store store;
  private final long catalogVersion;
  private final ExecNode root;
  private final List<ColumnType> parameterTypes;
  private final List<ResultColumn> columns;

  SelectPlan(Store store, long catalogVersion, ExecNode root, List<ColumnType> parameterTypes,
      List<ResultColumn> columns) {
    this.store = store;
    this.catalogVersion = catalogVersion;
    this.root = root;
    this.parameterTypes = List.copyOf(parameterTypes);
    this.columns = List.copyOf(columns);
  }

  Store store() {
    return store;
  }

  @Override
  public boolean isBounded() {
    return bounded(root);
  }

  /** Whether {@code node} reads a bounded number of rows: lookups and constants, projected. */
  private static boolean bounded(ExecNode node) {
    if (node instanceof io.quiverdb.planner.exec.KeyLookupNode
        || node instanceof io.quiverdb.planner.exec.ValuesNode) {
      return node.inputs().isEmpty();
    }
    if (node instanceof io.quiverdb.planner.exec.ProjectNode
        || node instanceof io.quiverdb.planner.exec.FilterNode) {
      return node.inputs().stream().allMatch(SelectPlan::bounded);
    }
    return false;
  }

  ExecNode root() {
    return root;
  }

  @Override
  public List<ColumnType> parameterTypes() {
    return parameterTypes;
  }

  @Override
  public List<ResultColumn> columns() {
    return columns;
  }

  @Override
  public QueryResult execute(Object[] parameters, SessionContext session) {
    ExecContext ctx = new ExecContext(store, parameters, session);
    try {
      RowIterator rows = root.open(ctx);
      return Results.rows(ctx, rows);
    } catch (RuntimeException | Error e) {
      ctx.close();
      throw e;
    }
  }

  @Override
  public boolean isValid(io.quiverdb.storage.CatalogView catalog) {
    return catalog.version() == catalogVersion;
  }
}
