package io.quiverdb.planner;

import io.quiverdb.planner.exec.ExecContext;
import io.quiverdb.planner.exec.RowIterator;

/** The {@link QueryResult}s the plans return. */
final class Results {
  private Results() {}

  /** A result without rows: only a command tag (DDL, INSERT, UPDATE, DELETE). */
  static QueryResult command(String tag) {
    return new QueryResult() {
      @Override
      public Object[] next() {
        return null;
      }

      @Override
      public String commandTag() {
        return tag;
      }

      @Override
      public void close() {}
    };
  }

  /** Rows pulled from an operator tree, counted for the {@code SELECT n} tag. */
  static QueryResult rows(ExecContext ctx, RowIterator rows) {
    return new QueryResult() {
      private long count;
      private boolean closed;

      @Override
      public Object[] next() {
        if (closed) {
          return null;
        }
        Object[] row = rows.next();
        if (row == null) {
          close();
          return null;
        }
        count++;
        return row;
      }

      @Override
      public String commandTag() {
        return "SELECT " + count;
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          try {
            rows.close();
          } finally {
            ctx.close();
          }
        }
      }
    };
  }
}
