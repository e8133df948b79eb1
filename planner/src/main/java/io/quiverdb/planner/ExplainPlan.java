package io.quiverdb.planner;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.planner.exec.ExecNode;
import java.util.ArrayList;
import java.util.List;

/** EXPLAIN: the operator tree a statement runs, one line per operator, indented as psql shows. */
final class ExplainPlan implements PreparedQuery {
  private final PreparedQuery inner;

  ExplainPlan(PreparedQuery inner) {
    this.inner = inner;
  }

  @Override
  public List<ColumnType> parameterTypes() {
    return inner.parameterTypes();
  }

  @Override
  public List<ResultColumn> columns() {
    return List.of(ResultColumn.of("QUERY PLAN", ColumnType.TEXT));
  }

  @Override
  public boolean isValid(io.quiverdb.storage.CatalogView catalog) {
    return inner.isValid(catalog);
  }

  @Override
  public QueryResult execute(Object[] parameters, SessionContext session) {
    List<String> lines = new ArrayList<>();
    if (inner instanceof SelectPlan s) {
      render(s.root(), 0, lines);
    } else if (inner instanceof ModifyPlan m) {
      lines.add("Modify");
      render(m.source(), 1, lines);
    } else if (inner instanceof InsertPlan) {
      lines.add("Insert (direct to storage)");
    } else {
      lines.add("Utility statement");
    }
    return new QueryResult() {
      private int next;

      @Override
      public Object[] next() {
        return next < lines.size() ? new Object[] {lines.get(next++)} : null;
      }

      @Override
      public String commandTag() {
        return "EXPLAIN";
      }

      @Override
      public void close() {}
    };
  }

  private static void render(ExecNode node, int depth, List<String> lines) {
    lines.add(depth == 0 ? node.describe() : "  ".repeat(depth * 3 - 2) + "->  " + node.describe());
    for (ExecNode input : node.inputs()) {
      render(input, depth + 1, lines);
    }
  }
}
