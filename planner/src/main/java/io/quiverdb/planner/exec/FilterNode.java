package io.quiverdb.planner.exec;

import java.util.List;

/**
 * Passes the rows for which the condition is true (not false, not null), checking for
 * cancellation per row it reads (its input may be rows no scan counts: VALUES, an index scan).
 */
public final class FilterNode implements ExecNode {
  private final ExecNode input;
  private final Eval condition;
  private final String text;

  public FilterNode(ExecNode input, Eval condition, String text) {
    this.input = input;
    this.condition = condition;
    this.text = text;
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    RowIterator in = input.open(ctx);
    return new RowIterator() {
      @Override
      public Object[] next() {
        Object[] row;
        while ((row = in.next()) != null) {
          ctx.checkCancelled();
          if (Boolean.TRUE.equals(condition.eval(row, ctx))) {
            return row;
          }
        }
        return null;
      }

      @Override
      public void close() {
        in.close();
      }
    };
  }

  @Override
  public String describe() {
    return "Filter: " + text;
  }

  @Override
  public List<ExecNode> inputs() {
    return List.of(input);
  }
}
