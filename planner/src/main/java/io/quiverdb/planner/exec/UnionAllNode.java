package io.quiverdb.planner.exec;

import java.util.List;

/** UNION ALL: the rows of each input in turn. */
public final class UnionAllNode implements ExecNode {
  private final List<ExecNode> inputs;

  public UnionAllNode(List<ExecNode> inputs) {
    this.inputs = List.copyOf(inputs);
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    return new RowIterator() {
      private int index = -1;
      private RowIterator current;

      @Override
      public Object[] next() {
        ctx.checkCancelled();
        while (true) {
          if (current != null) {
            Object[] row = current.next();
            if (row != null) {
              return row;
            }
            current.close();
            current = null;
          }
          if (++index == inputs.size()) {
            return null;
          }
          current = inputs.get(index).open(ctx);
        }
      }

      @Override
      public void close() {
        if (current != null) {
          current.close();
        }
      }
    };
  }

  @Override
  public String describe() {
    return "Append";
  }

  @Override
  public List<ExecNode> inputs() {
    return inputs;
  }
}
