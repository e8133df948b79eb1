package io.quiverdb.planner.exec;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GROUP BY with count, sum, avg, min and max (hash aggregation). Output rows are the group keys
 * followed by the aggregates, as Calcite's Aggregate defines them. Without GROUP BY an empty input
 * still gives one row.
 */
public final class AggregateNode implements ExecNode {
  /** Aggregate functions we compute. */
  public enum Function {
    COUNT, SUM, SUM0, AVG, MIN, MAX
  }

  /** One aggregate: its function, argument column (-1 for count(*)), DISTINCT, result type. */
  public record Call(Function function, int arg, boolean distinct, PgType resultType) {}

  private final ExecNode input;
  private final int[] groupKeys;
  private final List<Call> calls;

  public AggregateNode(ExecNode input, int[] groupKeys, List<Call> calls) {
    this.input = input;
    this.groupKeys = groupKeys;
    this.calls = List.copyOf(calls);
  }

  @Override
  public RowIterator open(ExecContext ctx) {
    Map<List<Object>, Acc[]> groups = new LinkedHashMap<>();
    Map<List<Object>, Object[]> keyValues = new LinkedHashMap<>();
    try (RowIterator in = input.open(ctx)) {
      Object[] row;
      while ((row = in.next()) != null) {
        ctx.checkCancelled();
        List<Object> key = new ArrayList<>(groupKeys.length);
        for (int k : groupKeys) {
          Object v = row[k];
          key.add(v instanceof float[] f ? Arrays.toString(f) : v);
        }
        Acc[] accs = groups.get(key);
        if (accs == null) {
          accs = newAccumulators();
          groups.put(key, accs);
          Object[] kv = new Object[groupKeys.length];
          for (int i = 0; i < kv.length; i++) {
            kv[i] = row[groupKeys[i]];
          }
          keyValues.put(key, kv);
        }
        for (int i = 0; i < accs.length; i++) {
          Call c = calls.get(i);
          accs[i].add(c.arg() < 0 ? Boolean.TRUE : row[c.arg()]);
        }
      }
    }
    List<Object[]> out = new ArrayList<>(groups.size());
    if (groups.isEmpty() && groupKeys.length == 0) {
      out.add(result(new Object[0], newAccumulators()));
    }
    for (Map.Entry<List<Object>, Acc[]> e : groups.entrySet()) {
      out.add(result(keyValues.get(e.getKey()), e.getValue()));
    }
    return new RowIterator() {
      private int next;

      @Override
      public Object[] next() {
        return next < out.size() ? out.get(next++) : null;
      }
    };
  }

  private Acc[] newAccumulators() {
    Acc[] accs = new Acc[calls.size()];
    for (int i = 0; i < accs.length; i++) {
      accs[i] = new Acc(calls.get(i));
    }
    return accs;
  }

  private static Object[] result(Object[] keys, Acc[] accs) {
    Object[] row = Arrays.copyOf(keys, keys.length + accs.length);
    for (int i = 0; i < accs.length; i++) {
      row[keys.length + i] = accs[i].result();
    }
    return row;
  }

  /** The running state of one aggregate in one group. */
  private static final class Acc {
    private final Call call;
    private final Set<Object> seen;
    private long count;
    private Object value;

    Acc(Call call) {
      this.call = call;
      this.seen = call.distinct() ? new HashSet<>() : null;
    }

    void add(Object v) {
      if (v == null) {
        return;
      }
      if (seen != null && !seen.add(v instanceof float[] f ? Arrays.toString(f) : v)) {
        return;
      }
      count++;
      switch (call.function()) {
        case COUNT -> { }
        case SUM, SUM0 -> value = value == null ? v
            : Values.arithmetic(Values.Arith.ADD, value, v, sumType(v));
        case AVG -> value = value == null ? Values.toBigDecimal((Number) v)
            : ((BigDecimal) value).add(Values.toBigDecimal((Number) v));
        case MIN -> value = value == null || Values.compare(v, value) < 0 ? v : value;
        case MAX -> value = value == null || Values.compare(v, value) > 0 ? v : value;
        default -> throw QuiverException.notSupported("aggregate " + call.function());
      }
    }

    private PgType sumType(Object v) {
      return switch (call.resultType()) {
        case INT2, INT4, INT8 -> PgType.INT8;
        default -> call.resultType();
      };
    }

    Object result() {
      ColumnType type = ColumnType.of(call.resultType());
      return switch (call.function()) {
        case COUNT -> count;
        case SUM0 -> value == null ? Values.convert(0L, PgType.INT8, type, true, null)
            : Values.convert(value, sumType(value), type, false, null);
        case SUM -> value == null ? null : Values.convert(value, sumType(value), type, false, null);
        case AVG -> value == null ? null : Values.convert(
            ((BigDecimal) value).divide(BigDecimal.valueOf(count), 16, RoundingMode.HALF_UP)
                .stripTrailingZeros(), PgType.NUMERIC, type, true, null);
        default -> value;
      };
    }
  }

  @Override
  public String describe() {
    return (groupKeys.length == 0 ? "Aggregate" : "HashAggregate: group " + Arrays.toString(groupKeys))
        + " " + calls;
  }

  @Override
  public List<ExecNode> inputs() {
    return List.of(input);
  }
}
