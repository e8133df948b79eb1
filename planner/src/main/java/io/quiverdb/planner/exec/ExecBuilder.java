package io.quiverdb.planner.exec;

import io.quiverdb.common.QuiverException;
import io.quiverdb.planner.calcite.QuiverSchema;
import io.quiverdb.planner.calcite.TypeMapping;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rel.logical.LogicalUnion;
import org.apache.calcite.rel.logical.LogicalValues;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;

/**
 * Turns an optimized Calcite plan into our operators, compiling every expression once. A plan
 * shape we have no operator for fails with 0A000 naming it.
 */
public final class ExecBuilder {
  private final RexCompiler compiler;

  /** A builder whose compiler ticks {@code budget} per expression node. */
  public ExecBuilder(RexBuilder rexBuilder, io.quiverdb.planner.calcite.PlanningBudget budget) {
    this.compiler = new RexCompiler(rexBuilder, budget);
  }

  public RexCompiler compiler() {
    return compiler;
  }

  public ExecNode build(RelNode rel) {
    if (rel instanceof TableScan scan) {
      QuiverSchema.QuiverTable t = scan.getTable().unwrap(QuiverSchema.QuiverTable.class);
      if (t == null) {
        throw QuiverException.notSupported("scans of " + scan.getTable().getQualifiedName());
      }
      return new ScanNode(t.def());
    }
    if (rel instanceof LogicalFilter f) {
      ExecNode lookup = keyLookup(f);
      return new FilterNode(lookup != null ? lookup : build(f.getInput()),
          compiler.compile(f.getCondition()), f.getCondition().toString());
    }
    if (rel instanceof LogicalProject p) {
      return projectOver(p, build(p.getInput()));
    }
    if (rel instanceof LogicalSort s) {
      List<SortNode.Key> keys = new ArrayList<>();
      for (RelFieldCollation c : s.getCollation().getFieldCollations()) {
        boolean desc = c.getDirection().isDescending();
        boolean nullsFirst = switch (c.nullDirection) {
          case FIRST -> true;
          case LAST -> false;
          default -> desc;
        };
        keys.add(new SortNode.Key(c.getFieldIndex(), desc, nullsFirst));
      }
      ExecNode search = vectorSearch(s);
      ExecNode input = search == null ? build(s.getInput())
          : projectOver((LogicalProject) s.getInput(), search);
      return new SortNode(input, keys,
          s.offset == null ? null : compiler.compile(s.offset),
          s.fetch == null ? null : compiler.compile(s.fetch));
    }
    if (rel instanceof LogicalAggregate a) {
      return aggregate(a);
    }
    if (rel instanceof LogicalValues v) {
      List<Eval[]> rows = new ArrayList<>();
      for (List<RexLiteral> tuple : v.getTuples()) {
        Eval[] row = new Eval[tuple.size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = compiler.compile(tuple.get(i));
        }
        rows.add(row);
      }
      return new ValuesNode(rows);
    }
    if (rel instanceof LogicalUnion u && u.all) {
      List<ExecNode> inputs = new ArrayList<>();
      u.getInputs().forEach(i -> inputs.add(build(i)));
      return new UnionAllNode(inputs);
    }
    throw QuiverException.notSupported(describe(rel));
  }

  /**
   * A primary key lookup when the filter sits on a table scan and fixes every key column to a
   * constant or parameter of the column's own type ({@code id = $1 AND …}); else null.
   */
  private ExecNode keyLookup(LogicalFilter f) {
    if (!(f.getInput() instanceof TableScan scan)) {
      return null;
    }
    QuiverSchema.QuiverTable t = scan.getTable().unwrap(QuiverSchema.QuiverTable.class);
    if (t == null || !t.def().hasPrimaryKey()
        || io.quiverdb.planner.SystemViews.isSystem(t.def())) {
      return null;
    }
    java.util.List<Integer> pk = t.def().primaryKey();
    Eval[] key = new Eval[pk.size()];
    StringBuilder text = new StringBuilder();
    for (org.apache.calcite.rex.RexNode c
        : org.apache.calcite.plan.RelOptUtil.conjunctions(f.getCondition())) {
      if (!c.isA(org.apache.calcite.sql.SqlKind.EQUALS)) {
        continue;
      }
      java.util.List<org.apache.calcite.rex.RexNode> ops =
          ((org.apache.calcite.rex.RexCall) c).getOperands();
      for (int side = 0; side < 2; side++) {
        if (ops.get(side) instanceof org.apache.calcite.rex.RexInputRef ref
            && !org.apache.calcite.rex.RexUtil.containsInputRef(ops.get(1 - side))) {
          int k = pk.indexOf(ref.getIndex());
          io.quiverdb.common.types.PgType columnType =
              t.def().columns().get(ref.getIndex()).type().type();
          if (k >= 0 && key[k] == null && io.quiverdb.planner.calcite.TypeMapping.engineType(
              ops.get(1 - side).getType()) == columnType) {
            key[k] = compiler.compile(ops.get(1 - side));
            text.append(text.length() == 0 ? "" : " AND ").append(c);
          }
        }
      }
    }
    for (Eval e : key) {
      if (e == null) {
        return null;
      }
    }
    return new KeyLookupNode(t.def(), key, "(" + text + ")");
  }

  private ProjectNode projectOver(LogicalProject p, ExecNode input) {
    List<RexNode> projects = p.getProjects();
    Eval[] exprs = new Eval[projects.size()];
    for (int i = 0; i < exprs.length; i++) {
      exprs[i] = compiler.compile(projects.get(i));
    }
    return new ProjectNode(input, exprs, projects.toString());
  }

  /**
   * The input of {@code ORDER BY col <op> q LIMIT k} as an HNSW index scan, when the sort's one
   * key is a distance operator between a vector column and an expression of constants and
   * parameters, over a table (possibly filtered) with an index of that column and operator's
   * metric; else null. The sort stays above and orders the k rows by the exact expression.
   */
  private ExecNode vectorSearch(LogicalSort s) {
    if (s.fetch == null || s.getCollation().getFieldCollations().size() != 1
        || !(s.getInput() instanceof LogicalProject p)) {
      return null;
    }
    RelFieldCollation key = s.getCollation().getFieldCollations().get(0);
    if (key.getDirection().isDescending()) {
      return null;
    }
    RelNode below = p.getInput();
    LogicalFilter filter = below instanceof LogicalFilter f ? f : null;
    if (!((filter != null ? filter.getInput() : below) instanceof TableScan scan)) {
      return null;
    }
    QuiverSchema.QuiverTable t = scan.getTable().unwrap(QuiverSchema.QuiverTable.class);
    if (t == null || io.quiverdb.planner.SystemViews.isSystem(t.def())
        || (filter != null && keyLookup(filter) != null)
        || !(p.getProjects().get(key.getFieldIndex()) instanceof RexCall call)
        || !(call.getOperator() instanceof org.apache.calcite.sql.SqlBinaryOperator)) {
      return null;
    }
    io.quiverdb.common.vector.Metric metric =
        io.quiverdb.planner.calcite.QuiverOperators.metricOf(call.getOperator());
    if (metric == null) {
      return null;
    }
    for (int side = 0; side < 2; side++) {
      RexNode column = call.getOperands().get(side);
      RexNode query = call.getOperands().get(1 - side);
      if (!(column instanceof RexInputRef ref) || RexUtil.containsInputRef(query)) {
        continue;
      }
      for (io.quiverdb.storage.IndexDef index : t.def().indexes()) {
        if (index.column() == ref.getIndex() && index.metric() == metric) {
          return new VectorSearchNode(t.def(), index, compiler.compile(query),
              query.toString(), s.offset == null ? null : compiler.compile(s.offset),
              compiler.compile(s.fetch),
              filter == null ? null : compiler.compile(filter.getCondition()),
              filter == null ? null : filter.getCondition().toString(),
              build(p.getInput()));
        }
      }
    }
    return null;
  }

  private static String describe(RelNode rel) {
    String name = rel.getRelTypeName().replace("Logical", "");
    return switch (name) {
      case "Join", "Correlate" -> "joins";
      case "Union", "Intersect", "Minus" -> name.toUpperCase(java.util.Locale.ROOT)
          + " without ALL";
      case "Window" -> "window functions";
      default -> "plan operator " + name;
    };
  }

  private ExecNode aggregate(LogicalAggregate a) {
    if (a.getGroupType() != org.apache.calcite.rel.core.Aggregate.Group.SIMPLE) {
      throw QuiverException.notSupported("GROUPING SETS, ROLLUP and CUBE");
    }
    int[] keys = a.getGroupSet().toArray();
    List<AggregateNode.Call> calls = new ArrayList<>();
    for (AggregateCall call : a.getAggCallList()) {
      if (call.filterArg >= 0 || call.getArgList().size() > 1) {
        throw QuiverException.notSupported("aggregate " + call);
      }
      SqlKind kind = call.getAggregation().getKind();
      AggregateNode.Function fn = switch (kind) {
        case COUNT -> AggregateNode.Function.COUNT;
        case SUM -> AggregateNode.Function.SUM;
        case SUM0 -> AggregateNode.Function.SUM0;
        case AVG -> AggregateNode.Function.AVG;
        case MIN -> AggregateNode.Function.MIN;
        case MAX -> AggregateNode.Function.MAX;
        default -> throw QuiverException.notSupported("aggregate function "
            + call.getAggregation().getName().toLowerCase(java.util.Locale.ROOT));
      };
      int arg = call.getArgList().isEmpty() ? -1 : call.getArgList().get(0);
      calls.add(new AggregateNode.Call(fn, arg, call.isDistinct(),
          TypeMapping.engineType(call.getType())));
    }
    return new AggregateNode(build(a.getInput()), keys, calls);
  }
}
