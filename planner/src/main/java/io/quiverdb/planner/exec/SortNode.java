package io.quiverdb.planner.exec;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * ORDER BY with optional OFFSET and LIMIT. With a limit it keeps only the best
 * {@code offset + limit} rows in a bounded heap (top-k: O(n log k), memory O(k)), which is how
 * exact nearest-neighbour search runs; without one it sorts everything. With no sort keys it only
 * skips and limits, streaming. Reading the input, comparing and skipping check for cancellation.
 */
public final class SortNode implements ExecNode {
  /** One sort key: the column, direction and where nulls go. */
  public record Key(int field, boolean descending, boolean nullsFirst) {}

  private final ExecNode input;
  private final List<Key> keys;
  private final Eval offset;
  private final Eval fetch;
  private final Comparator<Object[]> order;

  public SortNode(ExecNode input, List<Key> keys, Eval offset, Eval fetch) {
    this.input = input;
    this.keys = List.copyOf(keys);
    this.offset = offset;
    this.fetch = fetch;
    this.order = comparator(this.keys);
  }

  private static Comparator<Object[]> comparator(List<Key> keys) {
    return (a, b) -> {
      for (Key k : keys) {
        Object x = a[k.field()];
        Object y = b[k.field()];
        int c;
        if (x == null || y == null) {
          if (x == y) {
            continue;
          }
          c = (x == null) == k.nullsFirst() ? -1 : 1;
          return c;
        }
        c = Values.compare(x, y);
        if (c != 0) {
          return k.descending() ? -c : c;
        }
      }
      return 0;
    };
  }

  private static long count(Eval e, ExecContext ctx, String what) {
    if (e == null) {
      return -1;
    }
    Object v = e.eval(null, ctx);
    if (v == null) {
      return -1;
    }
    long n = ((Number) v).longValue();
    if (n < 0) {
      throw new QuiverException(SqlState.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
          what + " must not be negative");
    }
    return n;
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    long skip = Math.max(0, count(offset, ctx, "OFFSET"));
    long limit = count(fetch, ctx, "LIMIT");
    if (keys.isEmpty()) {
      return limited(input.open(ctx), ctx, skip, limit);
    }
    List<Object[]> sorted = limit >= 0 && skip + limit <= Integer.MAX_VALUE / 2
        ? topK(ctx, (int) (skip + limit)) : sortAll(ctx);
    int from = (int) Math.min(skip, sorted.size());
    return new RowIterator() {
      private int next = from;

      @Override
      public Object[] next() {
        return next < sorted.size() ? sorted.get(next++) : null;
      }
    };
  }

  private List<Object[]> sortAll(ExecContext ctx) {
    List<Object[]> rows = new ArrayList<>();
    try (RowIterator in = input.open(ctx)) {
      Object[] row;
      while ((row = in.next()) != null) {
        ctx.checkCancelled();
        rows.add(row);
      }
    }
    rows.sort((a, b) -> {
      ctx.checkCancelled();
      return order.compare(a, b);
    });
    return rows;
  }

  /** The best k rows in order, ties kept in arrival order. */
  private List<Object[]> topK(ExecContext ctx, int k) {
    List<Object[]> out = new ArrayList<>(Math.min(k, 1024));
    if (k == 0) {
      return out;
    }
    // Max-heap on (order, arrival): the root is the worst row kept so far.
    record Ranked(Object[] row, long seq) {}
    Comparator<Ranked> ranked = (a, b) -> {
      int c = order.compare(a.row, b.row);
      return c != 0 ? c : Long.compare(a.seq, b.seq);
    };
    PriorityQueue<Ranked> heap = new PriorityQueue<>(Math.min(k, 1024) + 1, ranked.reversed());
    long seq = 0;
    try (RowIterator in = input.open(ctx)) {
      Object[] row;
      while ((row = in.next()) != null) {
        ctx.checkCancelled();
        if (heap.size() < k) {
          heap.add(new Ranked(row, seq++));
        } else if (order.compare(row, heap.peek().row) < 0) {
          heap.poll();
          heap.add(new Ranked(row, seq++));
        }
      }
    }
    while (!heap.isEmpty()) {
      out.add(heap.poll().row);
    }
    java.util.Collections.reverse(out);
    return out;
  }

  private static RowIterator limited(RowIterator in, ExecContext ctx, long skip, long limit) {
    return new RowIterator() {
      private long skipped;
      private long returned;

      @Override
      public Object[] next() {
        while (skipped < skip) {
          ctx.checkCancelled();
          if (in.next() == null) {
            return null;
          }
          skipped++;
        }
        if (limit >= 0 && returned >= limit) {
          return null;
        }
        Object[] row = in.next();
        if (row != null) {
          returned++;
        }
        return row;
      }

      @Override
      public void close() {
        in.close();
      }
    };
  }

  @Override
  public String describe() {
    if (keys.isEmpty()) {
      return "Limit";
    }
    StringBuilder sb = new StringBuilder(fetch != null ? "Top-K Sort" : "Sort").append(" by ");
    for (int i = 0; i < keys.size(); i++) {
      Key k = keys.get(i);
      sb.append(i == 0 ? "" : ", ").append('$').append(k.field())
          .append(k.descending() ? " DESC" : "").append(k.nullsFirst() != k.descending()
              ? (k.nullsFirst() ? " NULLS FIRST" : " NULLS LAST") : "");
    }
    return sb.toString();
  }

  @Override
  public List<ExecNode> inputs() {
    return List.of(input);
  }
}
