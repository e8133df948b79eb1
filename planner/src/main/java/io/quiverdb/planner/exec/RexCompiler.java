package io.quiverdb.planner.exec;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.common.types.Timestamps;
import io.quiverdb.common.types.Vectors;
import io.quiverdb.common.vector.Distances;
import io.quiverdb.common.vector.Metric;
import io.quiverdb.planner.calcite.PlanningBudget;
import io.quiverdb.planner.calcite.QuiverOperators;
import io.quiverdb.planner.calcite.TypeMapping;
import io.quiverdb.planner.calcite.VectorType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.fun.SqlPosixRegexOperator;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.TimestampString;

/**
 * Compiles a {@link RexNode} once into an {@link Eval} closure tree that runs without Calcite:
 * no code generation, no reflection, literals converted (and vector literals parsed) at compile
 * time. Nulls follow SQL: most operators return null for a null operand; AND/OR use three-valued
 * logic.
 */
public final class RexCompiler {
  private final RexBuilder rexBuilder;
  private final PlanningBudget budget;

  /** A compiler that ticks {@code budget} per node it compiles. */
  public RexCompiler(RexBuilder rexBuilder, PlanningBudget budget) {
    this.rexBuilder = rexBuilder;
    this.budget = budget;
  }

  public Eval compile(RexNode node) {
    budget.tick();
    if (node instanceof RexInputRef ref) {
      int i = ref.getIndex();
      return (row, ctx) -> row[i];
    }
    if (node instanceof RexDynamicParam p) {
      int i = p.getIndex();
      return (row, ctx) -> ctx.parameter(i);
    }
    if (node instanceof RexLiteral lit) {
      Object v = literal(lit);
      return (row, ctx) -> v;
    }
    if (node instanceof RexCall call) {
      return call(call);
    }
    throw QuiverException.notSupported("expression " + node);
  }

  /** The engine value of a literal. */
  public static Object literal(RexLiteral lit) {
    if (lit.isNull()) {
      return null;
    }
    PgType type = TypeMapping.engineType(lit.getType());
    return switch (type) {
      case INT8 -> lit.getValueAs(Long.class);
      case INT4 -> lit.getValueAs(Integer.class);
      case INT2 -> lit.getValueAs(Short.class);
      case FLOAT8 -> lit.getValueAs(Double.class);
      case FLOAT4 -> lit.getValueAs(Float.class);
      case NUMERIC -> lit.getValueAs(BigDecimal.class);
      case BOOL -> lit.getValueAs(Boolean.class);
      case TEXT, VARCHAR -> {
        Object v = lit.getValue();
        yield v instanceof NlsString n ? n.getValue() : lit.getValueAs(String.class);
      }
      case TIMESTAMP, TIMESTAMPTZ -> {
        TimestampString ts = lit.getValueAs(TimestampString.class);
        yield Timestamps.parseTimestamp(ts.toString());
      }
      case DATE -> {
        DateString d = lit.getValueAs(DateString.class);
        yield d.getDaysSinceEpoch();
      }
      default -> throw QuiverException.notSupported("literals of type " + lit.getType());
    };
  }

  private Eval[] operands(RexCall call) {
    List<RexNode> ops = call.getOperands();
    Eval[] out = new Eval[ops.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = compile(ops.get(i));
    }
    return out;
  }

  private Eval call(RexCall call) {
    SqlOperator op = call.getOperator();
    Metric metric = QuiverOperators.metricOf(op);
    if (metric != null) {
      return distance(call, metric);
    }
    if (op == QuiverOperators.INNER_PRODUCT) {
      Eval[] e = operands(call);
      return (row, ctx) -> {
        float[] a = (float[]) e[0].eval(row, ctx);
        float[] b = (float[]) e[1].eval(row, ctx);
        return a == null || b == null ? null : Distances.dot(a, b);
      };
    }
    if (op == QuiverOperators.VECTOR_NORM) {
      Eval e = compile(call.getOperands().get(0));
      return (row, ctx) -> {
        float[] a = (float[]) e.eval(row, ctx);
        return a == null ? null : Distances.norm(a);
      };
    }
    if (op == QuiverOperators.VECTOR_DIMS) {
      Eval e = compile(call.getOperands().get(0));
      return (row, ctx) -> {
        float[] a = (float[]) e.eval(row, ctx);
        return a == null ? null : a.length;
      };
    }
    if (op == QuiverOperators.VECTOR_IN) {
      return vectorIn(call);
    }
    if (op == QuiverOperators.VERSION) {
      return (row, ctx) -> "PostgreSQL " + ctx.session().setting("server_version")
          + " on " + System.getProperty("os.arch") + "-pc-linux-gnu, compiled by javac "
          + Runtime.version().feature() + ", 64-bit";
    }
    SqlKind kind = call.getKind();
    switch (kind) {
      case SEARCH:
        return compile(RexUtil.expandSearch(rexBuilder, null, call));
      case AND:
        return and(operands(call));
      case OR:
        return or(operands(call));
      case NOT: {
        Eval e = compile(call.getOperands().get(0));
        return (row, ctx) -> {
          Object v = e.eval(row, ctx);
          return v == null ? null : !(Boolean) v;
        };
      }
      case EQUALS:
      case NOT_EQUALS:
      case LESS_THAN:
      case LESS_THAN_OR_EQUAL:
      case GREATER_THAN:
      case GREATER_THAN_OR_EQUAL:
        return comparison(kind, operands(call));
      case IS_DISTINCT_FROM:
      case IS_NOT_DISTINCT_FROM: {
        Eval[] e = operands(call);
        boolean distinct = kind == SqlKind.IS_DISTINCT_FROM;
        return (row, ctx) -> {
          Object a = e[0].eval(row, ctx);
          Object b = e[1].eval(row, ctx);
          boolean same = a == null ? b == null : b != null && Values.compare(a, b) == 0;
          return distinct != same;
        };
      }
      case IS_NULL:
      case IS_NOT_NULL: {
        Eval e = compile(call.getOperands().get(0));
        boolean wantNull = kind == SqlKind.IS_NULL;
        return (row, ctx) -> (e.eval(row, ctx) == null) == wantNull;
      }
      case IS_TRUE:
      case IS_NOT_TRUE:
      case IS_FALSE:
      case IS_NOT_FALSE: {
        Eval e = compile(call.getOperands().get(0));
        Boolean target = kind == SqlKind.IS_TRUE || kind == SqlKind.IS_NOT_TRUE;
        boolean negated = kind == SqlKind.IS_NOT_TRUE || kind == SqlKind.IS_NOT_FALSE;
        return (row, ctx) -> target.equals(e.eval(row, ctx)) != negated;
      }
      case PLUS:
        return arithmetic(call, Values.Arith.ADD);
      case MINUS:
        return arithmetic(call, Values.Arith.SUBTRACT);
      case TIMES:
        return arithmetic(call, Values.Arith.MULTIPLY);
      case DIVIDE:
        return arithmetic(call, Values.Arith.DIVIDE);
      case MOD:
        return arithmetic(call, Values.Arith.MODULO);
      case MINUS_PREFIX: {
        Eval e = compile(call.getOperands().get(0));
        return (row, ctx) -> {
          Object v = e.eval(row, ctx);
          return v == null ? null : Values.negate(v);
        };
      }
      case PLUS_PREFIX:
        return compile(call.getOperands().get(0));
      case CAST:
        return cast(call);
      case CASE:
        return caseWhen(operands(call));
      case COALESCE: {
        Eval[] e = operands(call);
        return (row, ctx) -> {
          for (Eval x : e) {
            Object v = x.eval(row, ctx);
            if (v != null) {
              return v;
            }
          }
          return null;
        };
      }
      case LIKE:
        return like(call);
      case POSIX_REGEX_CASE_SENSITIVE:
      case POSIX_REGEX_CASE_INSENSITIVE:
        return regex(call);
      case CURRENT_VALUE:
      default:
        break;
    }
    return function(call, op);
  }

  private Eval function(RexCall call, SqlOperator op) {
    if (op == SqlStdOperatorTable.CURRENT_TIMESTAMP) {
      return (row, ctx) -> ctx.statementStartMicros();
    }
    if (op == SqlStdOperatorTable.CURRENT_DATE) {
      return (row, ctx) -> Values.convert(ctx.statementStartMicros(), PgType.TIMESTAMPTZ,
          ColumnType.DATE, true, ctx.timeZone());
    }
    if (op == SqlStdOperatorTable.CURRENT_USER || op == SqlStdOperatorTable.SESSION_USER
        || op == SqlStdOperatorTable.USER) {
      return (row, ctx) -> ctx.session().user();
    }
    Eval[] e = operands(call);
    if (op == SqlStdOperatorTable.UPPER) {
      return strict1(e[0], v -> ((String) v).toUpperCase(java.util.Locale.ROOT));
    }
    if (op == SqlStdOperatorTable.LOWER) {
      return strict1(e[0], v -> ((String) v).toLowerCase(java.util.Locale.ROOT));
    }
    if (op == SqlStdOperatorTable.CHAR_LENGTH) {
      return strict1(e[0], v -> ((String) v).codePointCount(0, ((String) v).length()));
    }
    if (op == SqlStdOperatorTable.CONCAT) {
      PgType lt = TypeMapping.engineType(call.getOperands().get(0).getType());
      PgType rt = TypeMapping.engineType(call.getOperands().get(1).getType());
      return (row, ctx) -> {
        Object a = e[0].eval(row, ctx);
        Object b = e[1].eval(row, ctx);
        return a == null || b == null ? null
            : Values.toText(a, lt, ctx.timeZone()) + Values.toText(b, rt, ctx.timeZone());
      };
    }
    PgType result = TypeMapping.engineType(call.getType());
    if (op == SqlStdOperatorTable.ABS) {
      return strict1(e[0], v -> {
        Object neg = Values.compare(v, 0L) < 0 ? Values.negate(v) : v;
        return Values.convert(neg, result, ColumnType.of(result), true, null);
      });
    }
    if (op == SqlStdOperatorTable.SQRT) {
      return strict1(e[0], v -> {
        double d = ((Number) v).doubleValue();
        if (d < 0) {
          throw new QuiverException(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
              "cannot take square root of a negative number");
        }
        return Math.sqrt(d);
      });
    }
    if (op == SqlStdOperatorTable.FLOOR || op == SqlStdOperatorTable.CEIL) {
      boolean floor = op == SqlStdOperatorTable.FLOOR;
      return strict1(e[0], v -> {
        if (v instanceof BigDecimal d) {
          return d.setScale(0, floor ? RoundingMode.FLOOR : RoundingMode.CEILING);
        }
        if (v instanceof Double || v instanceof Float) {
          double d = ((Number) v).doubleValue();
          return Values.convert(floor ? Math.floor(d) : Math.ceil(d), PgType.FLOAT8,
              ColumnType.of(result), true, null);
        }
        return v;
      });
    }
    if (op == SqlStdOperatorTable.ROUND && e.length == 1) {
      return strict1(e[0], v -> {
        if (v instanceof BigDecimal d) {
          return d.setScale(0, RoundingMode.HALF_UP);
        }
        if (v instanceof Double || v instanceof Float) {
          return Values.convert(Math.rint(((Number) v).doubleValue()), PgType.FLOAT8,
              ColumnType.of(result), true, null);
        }
        return v;
      });
    }
    if (op == SqlStdOperatorTable.MOD) {
      return (row, ctx) -> {
        Object a = e[0].eval(row, ctx);
        Object b = e[1].eval(row, ctx);
        return a == null || b == null ? null
            : Values.arithmetic(Values.Arith.MODULO, a, b, result);
      };
    }
    throw QuiverException.notSupported("function " + op.getName());
  }

  private static Eval strict1(Eval e, java.util.function.Function<Object, Object> f) {
    return (row, ctx) -> {
      Object v = e.eval(row, ctx);
      return v == null ? null : f.apply(v);
    };
  }

  private Eval distance(RexCall call, Metric metric) {
    Eval[] e = operands(call);
    return (row, ctx) -> {
      float[] a = (float[]) e[0].eval(row, ctx);
      float[] b = (float[]) e[1].eval(row, ctx);
      if (a == null || b == null) {
        return null;
      }
      if (a.length != b.length) {
        throw new QuiverException(SqlState.DATA_EXCEPTION,
            "different vector dimensions " + a.length + " and " + b.length);
      }
      return metric.distance(a, b);
    };
  }

  private Eval vectorIn(RexCall call) {
    RexNode text = call.getOperands().get(0);
    int dim = ((VectorType) call.getType()).dim();
    if (text instanceof RexLiteral lit) {
      // Parsed once per plan, so a malformed literal fails at planning, before anything runs.
      Object v = literal(lit);
      float[] parsed = v == null ? null : Vectors.parse((String) v, dim);
      return (row, ctx) -> parsed;
    }
    Eval e = compile(text);
    return (row, ctx) -> {
      Object v = e.eval(row, ctx);
      if (v == null || v instanceof float[]) {
        if (v != null && dim > 0) {
          Vectors.checkDim(dim, ((float[]) v).length);
        }
        return v;
      }
      return Vectors.parse(v.toString(), dim);
    };
  }

  private static Eval and(Eval[] e) {
    return (row, ctx) -> {
      boolean sawNull = false;
      for (Eval x : e) {
        Object v = x.eval(row, ctx);
        if (v == null) {
          sawNull = true;
        } else if (!(Boolean) v) {
          return false;
        }
      }
      return sawNull ? null : true;
    };
  }

  private static Eval or(Eval[] e) {
    return (row, ctx) -> {
      boolean sawNull = false;
      for (Eval x : e) {
        Object v = x.eval(row, ctx);
        if (v == null) {
          sawNull = true;
        } else if ((Boolean) v) {
          return true;
        }
      }
      return sawNull ? null : false;
    };
  }

  private static Eval comparison(SqlKind kind, Eval[] e) {
    Eval l = e[0];
    Eval r = e[1];
    return switch (kind) {
      case EQUALS -> (row, ctx) -> cmp(l, r, row, ctx, c -> c == 0);
      case NOT_EQUALS -> (row, ctx) -> cmp(l, r, row, ctx, c -> c != 0);
      case LESS_THAN -> (row, ctx) -> cmp(l, r, row, ctx, c -> c < 0);
      case LESS_THAN_OR_EQUAL -> (row, ctx) -> cmp(l, r, row, ctx, c -> c <= 0);
      case GREATER_THAN -> (row, ctx) -> cmp(l, r, row, ctx, c -> c > 0);
      default -> (row, ctx) -> cmp(l, r, row, ctx, c -> c >= 0);
    };
  }

  private static Object cmp(Eval l, Eval r, Object[] row, ExecContext ctx,
      java.util.function.IntPredicate test) {
    Object a = l.eval(row, ctx);
    if (a == null) {
      return null;
    }
    Object b = r.eval(row, ctx);
    if (b == null) {
      return null;
    }
    return test.test(Values.compare(a, b));
  }

  private Eval arithmetic(RexCall call, Values.Arith op) {
    Eval[] e = operands(call);
    PgType result = TypeMapping.engineType(call.getType());
    if (result == PgType.TIMESTAMP || result == PgType.TIMESTAMPTZ || result == PgType.DATE) {
      throw QuiverException.notSupported("date and time arithmetic");
    }
    return (row, ctx) -> {
      Object a = e[0].eval(row, ctx);
      if (a == null) {
        return null;
      }
      Object b = e[1].eval(row, ctx);
      return b == null ? null : Values.arithmetic(op, a, b, result);
    };
  }

  private Eval cast(RexCall call) {
    RexNode operand = call.getOperands().get(0);
    Eval e = compile(operand);
    PgType from = TypeMapping.engineType(operand.getType());
    ColumnType to = TypeMapping.fromCalcite(call.getType());
    if (from == to.type() && to.modifier() < 0) {
      return e;
    }
    return (row, ctx) -> Values.convert(e.eval(row, ctx), from, to, true, ctx.timeZone());
  }

  private static Eval caseWhen(Eval[] e) {
    return (row, ctx) -> {
      int i = 0;
      for (; i + 1 < e.length; i += 2) {
        if (Boolean.TRUE.equals(e[i].eval(row, ctx))) {
          return e[i + 1].eval(row, ctx);
        }
      }
      return i < e.length ? e[i].eval(row, ctx) : null;
    };
  }

  private Eval like(RexCall call) {
    SqlLikeOperator op = (SqlLikeOperator) call.getOperator();
    boolean negated = op.isNegated();
    boolean caseSensitive = op.isCaseSensitive();
    Eval[] e = operands(call);
    RexNode patternNode = call.getOperands().get(1);
    String escape = null;
    if (e.length > 2) {
      RexNode esc = call.getOperands().get(2);
      if (!(esc instanceof RexLiteral)) {
        throw QuiverException.notSupported("a non-constant LIKE escape");
      }
      escape = (String) literal((RexLiteral) esc);
    }
    String esc = escape == null ? "\\" : escape;
    if (patternNode instanceof RexLiteral lit) {
      Object p = literal(lit);
      Pattern pattern = p == null ? null : likePattern((String) p, esc, caseSensitive);
      return (row, ctx) -> {
        Object v = e[0].eval(row, ctx);
        if (v == null || pattern == null) {
          return null;
        }
        return pattern.matcher((String) v).matches() != negated;
      };
    }
    return (row, ctx) -> {
      Object v = e[0].eval(row, ctx);
      Object p = e[1].eval(row, ctx);
      if (v == null || p == null) {
        return null;
      }
      return likePattern((String) p, esc, caseSensitive).matcher((String) v).matches() != negated;
    };
  }

  /** LIKE pattern to regex: % any run, _ one character, the escape character quotes the next. */
  static Pattern likePattern(String like, String escape, boolean caseSensitive) {
    StringBuilder re = new StringBuilder();
    char esc = escape.isEmpty() ? 0 : escape.charAt(0);
    for (int i = 0; i < like.length(); i++) {
      char c = like.charAt(i);
      if (esc != 0 && c == esc) {
        if (++i == like.length()) {
          throw new QuiverException(SqlState.INVALID_ESCAPE_SEQUENCE,
              "LIKE pattern must not end with escape character");
        }
        re.append(Pattern.quote(String.valueOf(like.charAt(i))));
      } else if (c == '%') {
        re.append(".*");
      } else if (c == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    int flags = Pattern.DOTALL | (caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    return Pattern.compile(re.toString(), flags);
  }

  private Eval regex(RexCall call) {
    SqlPosixRegexOperator op = (SqlPosixRegexOperator) call.getOperator();
    boolean negated = op.isNegated();
    int flags = op.isCaseSensitive() ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    Eval[] e = operands(call);
    return (row, ctx) -> {
      Object v = e[0].eval(row, ctx);
      Object p = e[1].eval(row, ctx);
      if (v == null || p == null) {
        return null;
      }
      try {
        return Pattern.compile((String) p, flags).matcher((String) v).find() != negated;
      } catch (java.util.regex.PatternSyntaxException x) {
        throw new QuiverException(SqlState.INVALID_REGULAR_EXPRESSION,
            "invalid regular expression: " + x.getDescription());
      }
    };
  }
}
