package io.quiverdb.planner.exec;

import java.util.List;

/** Computes each output column from the input row. */
public final class ProjectNode implements ExecNode {
  private final ExecNode input;
  private final Eval[] exprs;
  private final String text;

  public ProjectNode(ExecNode input, Eval[] exprs, String text) {
    this.input = input;
    this.exprs = exprs;
    this.text = text;
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    RowIterator in = input.open(ctx);
    return new RowIterator() {
      @Override
      public Object[] next() {
        Object[] row = in.next();
        if (row == null) {
          return null;
        }
        Object[] out = new Object[exprs.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = exprs[i].eval(row, ctx);
        }
        return out;
      }

      @Override
      public void close() {
        in.close();
      }
    };
  }

  @Override
  public String describe() {
    return "Project: " + text;
  }

  @Override
  public List<ExecNode> inputs() {
    return List.of(input);
  }
}
