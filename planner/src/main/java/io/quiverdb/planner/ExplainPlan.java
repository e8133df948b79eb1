package io.quiverdb.planner;

import io.quiverdb.common.types.ColumnType;
import io.quiverdb.planner.exec.ExecNode;
import java.util.ArrayList;
import java.util.List;

/** EXPLAIN: the operator tree a statement runs, one line per operator, indented as psql shows. */
final class ExplainPlan implements PreparedQuery {
  private final PreparedQuery inner;
  private final boolean analyze;

  ExplainPlan(PreparedQuery inner, boolean analyze) {
    this.inner = inner;
    this.analyze = analyze;
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
    if (analyze && inner instanceof SelectPlan s) {
      long started = System.nanoTime();
      long rows = 0;
      try (io.quiverdb.planner.exec.ExecContext ctx =
          new io.quiverdb.planner.exec.ExecContext(s.store(), parameters, session)) {
        io.quiverdb.planner.exec.RowIterator it = s.root().open(ctx);
        try {
          while (it.next() != null) {
            rows++;
          }
        } finally {
          it.close();
        }
        render(s.root(), 0, lines, ctx);
      }
      lines.add("Rows: " + rows);
      lines.add(String.format(java.util.Locale.ROOT, "Execution Time: %.3f ms",
          (System.nanoTime() - started) / 1e6));
    } else if (analyze) {
      throw io.quiverdb.common.QuiverException.notSupported("EXPLAIN ANALYZE of this statement");
    } else if (inner instanceof SelectPlan s) {
      render(s.root(), 0, lines, null);
    } else if (inner instanceof ModifyPlan m) {
      lines.add("Modify");
      render(m.source(), 1, lines, null);
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

  private static void render(ExecNode node, int depth, List<String> lines,
      io.quiverdb.planner.exec.ExecContext analyzed) {
    String indent = depth == 0 ? "" : "  ".repeat(depth * 3 - 2);
    lines.add(depth == 0 ? node.describe() : indent + "->  " + node.describe());
    String detail = analyzed == null ? null : analyzed.analysis(node);
    if (detail != null) {
      lines.add(indent + (depth == 0 ? "  " : "      ") + detail);
    }
    for (ExecNode input : node.inputs()) {
      render(input, depth + 1, lines, analyzed);
    }
  }
}
