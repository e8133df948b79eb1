package io.quiverdb.planner.exec;

import java.util.List;

/** Constant rows ({@code VALUES}, or the one empty row under {@code SELECT} without FROM). */
public final class ValuesNode implements ExecNode {
  private final List<Eval[]> rows;

  public ValuesNode(List<Eval[]> rows) {
    this.rows = rows;
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    return new RowIterator() {
      private int next;

      @Override
      public Object[] next() {
        if (next == rows.size()) {
          return null;
        }
        ctx.checkCancelled();
        Eval[] exprs = rows.get(next++);
        Object[] out = new Object[exprs.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = exprs[i].eval(out, ctx);
        }
        return out;
      }
    };
  }

  @Override
  public String describe() {
    return "Values (" + rows.size() + " rows)";
  }

  @Override
  public List<ExecNode> inputs() {
    return List.of();
  }
}
