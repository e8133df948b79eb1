package io.quiverdb.planner.calcite;

import io.quiverdb.common.QuiverException;
import io.quiverdb.common.SqlState;
import io.quiverdb.common.types.ColumnType;
import io.quiverdb.common.types.PgType;
import io.quiverdb.planner.TypeNames;
import io.quiverdb.sql.ast.Expr;
import io.quiverdb.sql.ast.Pos;
import io.quiverdb.sql.ast.Query;
import io.quiverdb.sql.ast.Statement;
import io.quiverdb.sql.ast.TypeName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSelectKeyword;
import org.apache.calcite.sql.SqlUnresolvedFunction;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.fun.SqlCase;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Turns our AST into Calcite {@link SqlNode}s. Identifiers arrive folded by the parser and are
 * matched case-sensitively, as PostgreSQL does. Positions become {@code SqlParserPos(1, offset + 1)}:
 * line 1 and the 1-based character offset in the client's text as the column, so a validation
 * error's column is the ErrorResponse position as it is.
 *
 * <p>pgvector text in vector contexts ({@code '[1,2]'::vector}, a string beside a distance
 * operator, a string assigned to a vector column) becomes {@code vector_in(text, dim)}.
 */
public final class AstToSqlNode {
  /** Looks up a target column's type for UPDATE: (table, column) → type, or null if unknown. */
  private final BiFunction<String, String, ColumnType> targetColumnType;

  /** Client-declared parameter types, index 0 for $1; null entries are unspecified. */
  private final List<ColumnType> declaredParameters;

  private static final Map<String, SqlOperator> FUNCTIONS = Map.ofEntries(
      Map.entry("count", SqlStdOperatorTable.COUNT),
      Map.entry("sum", SqlStdOperatorTable.SUM),
      Map.entry("avg", SqlStdOperatorTable.AVG),
      Map.entry("min", SqlStdOperatorTable.MIN),
      Map.entry("max", SqlStdOperatorTable.MAX),
      Map.entry("abs", SqlStdOperatorTable.ABS),
      Map.entry("upper", SqlStdOperatorTable.UPPER),
      Map.entry("lower", SqlStdOperatorTable.LOWER),
      Map.entry("length", SqlStdOperatorTable.CHAR_LENGTH),
      Map.entry("char_length", SqlStdOperatorTable.CHAR_LENGTH),
      Map.entry("coalesce", SqlStdOperatorTable.COALESCE),
      Map.entry("nullif", SqlStdOperatorTable.NULLIF),
      Map.entry("sqrt", SqlStdOperatorTable.SQRT),
      Map.entry("floor", SqlStdOperatorTable.FLOOR),
      Map.entry("ceil", SqlStdOperatorTable.CEIL),
      Map.entry("ceiling", SqlStdOperatorTable.CEIL),
      Map.entry("round", SqlStdOperatorTable.ROUND),
      Map.entry("mod", SqlStdOperatorTable.MOD),
      Map.entry("now", SqlStdOperatorTable.CURRENT_TIMESTAMP),
      Map.entry("current_timestamp", SqlStdOperatorTable.CURRENT_TIMESTAMP),
      Map.entry("current_date", SqlStdOperatorTable.CURRENT_DATE),
      Map.entry("current_user", SqlStdOperatorTable.CURRENT_USER),
      Map.entry("session_user", SqlStdOperatorTable.SESSION_USER),
      Map.entry("user", SqlStdOperatorTable.USER),
      Map.entry("l2_distance", QuiverOperators.L2_DISTANCE),
      Map.entry("inner_product", QuiverOperators.INNER_PRODUCT),
      Map.entry("cosine_distance", QuiverOperators.COSINE_DISTANCE),
      Map.entry("l1_distance", QuiverOperators.L1_DISTANCE),
      Map.entry("vector_norm", QuiverOperators.VECTOR_NORM),
      Map.entry("vector_dims", QuiverOperators.VECTOR_DIMS),
      Map.entry("version", QuiverOperators.VERSION));

  private final PlanningBudget budget;

  /** How deep the conversion is in expressions and queries now, and the most it has been. */
  private int depth;
  private int maxDepth;

  public AstToSqlNode(BiFunction<String, String, ColumnType> targetColumnType,
      List<ColumnType> declaredParameters, PlanningBudget budget) {
    this.targetColumnType = targetColumnType;
    this.declaredParameters = declaredParameters;
    this.budget = budget;
  }

  /** The deepest nesting of expressions and queries converted so far. */
  public int maxDepth() {
    return maxDepth;
  }

  private void enter() {
    budget.tick();
    if (++depth > maxDepth) {
      maxDepth = depth;
    }
  }

  static SqlParserPos pos(Pos p) {
    return p == null || p.offset() < 0 ? SqlParserPos.ZERO : new SqlParserPos(1, p.offset() + 1);
  }

  // ---------------------------------------------------------------- statements

  public SqlNode update(Statement.Update u) {
    SqlParserPos p = pos(u.pos());
    SqlNodeList columns = new SqlNodeList(p);
    SqlNodeList values = new SqlNodeList(p);
    for (Statement.Assignment a : u.assignments()) {
      columns.add(new SqlIdentifier(a.column(), pos(a.pos())));
      ColumnType target = targetColumnType.apply(u.table().name(), a.column());
      boolean vector = target != null && target.type() == PgType.VECTOR;
      values.add(vector ? vectorOperand(a.value(), target.modifier()) : expr(a.value()));
    }
    return new SqlUpdate(p, table(u.table()), columns, values, optional(u.where()), null,
        u.alias() == null ? null : new SqlIdentifier(u.alias(), p));
  }

  public SqlNode delete(Statement.Delete d) {
    SqlParserPos p = pos(d.pos());
    return new SqlDelete(p, table(d.table()), optional(d.where()), null,
        d.alias() == null ? null : new SqlIdentifier(d.alias(), p));
  }

  private static SqlIdentifier table(io.quiverdb.sql.ast.QualifiedName name) {
    return new SqlIdentifier(name.parts(), pos(name.pos()));
  }

  // ---------------------------------------------------------------- queries

  public SqlNode query(Query q) {
    enter();
    try {
      return convertQuery(q);
    } finally {
      depth--;
    }
  }

  private SqlNode convertQuery(Query q) {
    if (q instanceof Query.Select s) {
      return select(s);
    }
    if (q instanceof Query.Values v) {
      return values(v);
    }
    Query.SetOperation so = (Query.SetOperation) q;
    SqlParserPos p = pos(so.pos());
    SqlOperator op = switch (so.op()) {
      case UNION -> so.all() ? SqlStdOperatorTable.UNION_ALL : SqlStdOperatorTable.UNION;
      case INTERSECT -> so.all() ? SqlStdOperatorTable.INTERSECT_ALL
          : SqlStdOperatorTable.INTERSECT;
      case EXCEPT -> so.all() ? SqlStdOperatorTable.EXCEPT_ALL : SqlStdOperatorTable.EXCEPT;
    };
    SqlNode set = op.createCall(p, query(so.left()), query(so.right()));
    if (so.orderBy().isEmpty() && so.limit() == null && so.offset() == null) {
      return set;
    }
    return new SqlOrderBy(p, set, orderBy(so.orderBy(), p), count(so.offset(), "OFFSET"),
        count(so.limit(), "LIMIT"));
  }

  private SqlNode values(Query.Values v) {
    SqlParserPos p = pos(v.pos());
    List<SqlNode> rows = new ArrayList<>();
    for (List<Expr> row : v.rows()) {
      rows.add(SqlStdOperatorTable.ROW.createCall(p, exprs(row)));
    }
    return SqlStdOperatorTable.VALUES.createCall(p, rows);
  }

  private SqlSelect select(Query.Select s) {
    SqlParserPos p = pos(s.pos());
    SqlNodeList keywords = s.distinct()
        ? SqlNodeList.of(SqlSelectKeyword.DISTINCT.symbol(p)) : null;
    SqlNodeList items = new SqlNodeList(p);
    for (Query.SelectItem item : s.items()) {
      SqlNode e = expr(item.expr());
      if (item.expr() instanceof Expr.Parameter param && declared(param.index()) == null) {
        // an untyped parameter that is the whole output column is text, as in PostgreSQL
        e = SqlStdOperatorTable.CAST.createCall(e.getParserPosition(), e, new SqlDataTypeSpec(
            new SqlBasicTypeNameSpec(SqlTypeName.VARCHAR, e.getParserPosition()),
            e.getParserPosition()));
      }
      if (item.alias() != null) {
        e = SqlStdOperatorTable.AS.createCall(pos(item.pos()), e,
            new SqlIdentifier(item.alias(), pos(item.pos())));
      }
      items.add(e);
    }
    SqlNode from = null;
    for (Query.FromItem f : s.from()) {
      SqlNode next = fromItem(f);
      from = from == null ? next : new SqlJoin(p, from, SqlLiteral.createBoolean(false, p),
          JoinType.COMMA.symbol(p), next, JoinConditionType.NONE.symbol(p), null);
    }
    SqlNodeList groupBy = s.groupBy().isEmpty() ? null : new SqlNodeList(exprs(s.groupBy()), p);
    SqlNodeList order = s.orderBy().isEmpty() ? null : orderBy(s.orderBy(), p);
    return new SqlSelect(p, keywords, items, from, optional(s.where()), groupBy,
        optional(s.having()), null, null, order, count(s.offset(), "OFFSET"), count(s.limit(), "LIMIT"), null);
  }

  private SqlNodeList orderBy(List<Query.OrderItem> items, SqlParserPos p) {
    SqlNodeList list = new SqlNodeList(p);
    for (Query.OrderItem o : items) {
      SqlNode e = expr(o.expr());
      SqlParserPos ep = e.getParserPosition();
      if (o.descending()) {
        e = SqlStdOperatorTable.DESC.createCall(ep, e);
      }
      if (o.nullsFirst() != null) {
        e = (o.nullsFirst() ? SqlStdOperatorTable.NULLS_FIRST : SqlStdOperatorTable.NULLS_LAST)
            .createCall(ep, e);
      }
      list.add(e);
    }
    return list;
  }

  private SqlNode fromItem(Query.FromItem f) {
    SqlParserPos p = pos(f.pos());
    if (f instanceof Query.TableRef t) {
      return alias(table(t.name()), t.alias(), List.of(), p);
    }
    if (f instanceof Query.SubqueryRef sq) {
      return alias(query(sq.query()), sq.alias(), sq.columnAliases(), p);
    }
    if (f instanceof Query.Join j) {
      JoinType type = switch (j.type()) {
        case INNER -> JoinType.INNER;
        case LEFT -> JoinType.LEFT;
        case RIGHT -> JoinType.RIGHT;
        case FULL -> JoinType.FULL;
        case CROSS -> JoinType.CROSS;
      };
      JoinConditionType condType = JoinConditionType.NONE;
      SqlNode condition = null;
      if (j.condition() != null) {
        condType = JoinConditionType.ON;
        condition = expr(j.condition());
      } else if (!j.using().isEmpty()) {
        condType = JoinConditionType.USING;
        SqlNodeList cols = new SqlNodeList(p);
        j.using().forEach(c -> cols.add(new SqlIdentifier(c, p)));
        condition = cols;
      }
      return new SqlJoin(p, fromItem(j.left()), SqlLiteral.createBoolean(false, p),
          type.symbol(p), fromItem(j.right()), condType.symbol(p), condition);
    }
    if (f instanceof Query.FunctionRef fn && fn.call().name().schema() == null
        && io.quiverdb.planner.SystemViews.isViewFunction(fn.call().name().name())
        && fn.call().args().size() == 1) {
      return alias(viewFunction(fn, p), fn.alias() != null ? fn.alias() : fn.call().name().name(),
          fn.columnAliases(), p);
    }
    throw QuiverException.notSupported("set-returning functions in FROM")
        .withPosition(f.pos().errorPosition());
  }

  /**
   * A system view called as a function of a table name ({@code quiver_hnsw_check('items')}): its
   * rows for that table, {@code SELECT * FROM view WHERE table_name = arg}.
   */
  private SqlNode viewFunction(Query.FunctionRef fn, SqlParserPos p) {
    SqlNode filter = SqlStdOperatorTable.EQUALS.createCall(p, new SqlIdentifier("table_name", p),
        expr(fn.call().args().get(0)));
    SqlNodeList star = new SqlNodeList(List.of(SqlIdentifier.star(p)), p);
    return new SqlSelect(p, null, star, new SqlIdentifier(fn.call().name().name(), p), filter,
        null, null, null, null, null, null, null, null);
  }

  private static SqlNode alias(SqlNode node, String alias, List<String> columns, SqlParserPos p) {
    if (alias == null) {
      return node;
    }
    List<SqlNode> operands = new ArrayList<>();
    operands.add(node);
    operands.add(new SqlIdentifier(alias, p));
    columns.forEach(c -> operands.add(new SqlIdentifier(c, p)));
    return SqlStdOperatorTable.AS.createCall(p, operands);
  }

  // ---------------------------------------------------------------- expressions

  /**
   * A LIMIT or OFFSET: a quoted number is a bigint there ({@code LIMIT '10'}, which pgJDBC's
   * simple mode sends for an untyped parameter), as in PostgreSQL.
   */
  private SqlNode count(Expr e, String clause) {
    Expr.ColumnRef ref = firstColumnRef(e);
    if (ref != null) {
      throw new QuiverException(SqlState.INVALID_COLUMN_REFERENCE,
          "argument of " + clause + " must not contain variables")
          .withPosition(ref.pos().errorPosition());
    }
    if (e instanceof Expr.Literal l && l.kind() == Expr.LiteralKind.STRING) {
      try {
        return SqlLiteral.createExactNumeric(Long.toString(Long.parseLong(l.text().trim())),
            pos(l.pos()));
      } catch (NumberFormatException x) {
        throw new QuiverException(SqlState.INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type bigint: \"" + l.text() + "\"")
            .withPosition(l.pos().errorPosition());
      }
    }
    return optional(e);
  }

  /** The first column reference in {@code e} (outside sub-queries), or null. */
  private static Expr.ColumnRef firstColumnRef(Expr e) {
    if (e == null) {
      return null;
    }
    if (e instanceof Expr.ColumnRef c) {
      return c;
    }
    List<Expr> parts = List.of();
    if (e instanceof Expr.Unary u) {
      parts = List.of(u.operand());
    } else if (e instanceof Expr.Binary b) {
      parts = List.of(b.left(), b.right());
    } else if (e instanceof Expr.FunctionCall f) {
      parts = f.args();
    } else if (e instanceof Expr.Cast c) {
      parts = List.of(c.operand());
    } else if (e instanceof Expr.IsNull n) {
      parts = List.of(n.operand());
    } else if (e instanceof Expr.Between b) {
      parts = List.of(b.operand(), b.low(), b.high());
    } else if (e instanceof Expr.ArrayConstructor a) {
      parts = a.elements();
    }
    for (Expr part : parts) {
      Expr.ColumnRef found = firstColumnRef(part);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private SqlNode optional(Expr e) {
    return e == null ? null : expr(e);
  }

  private List<SqlNode> exprs(List<Expr> list) {
    List<SqlNode> out = new ArrayList<>(list.size());
    for (Expr e : list) {
      out.add(expr(e));
    }
    return out;
  }

  public SqlNode expr(Expr e) {
    enter();
    try {
      return convertExpr(e);
    } finally {
      depth--;
    }
  }

  private SqlNode convertExpr(Expr e) {
    SqlParserPos p = pos(e.pos());
    if (e instanceof Expr.Literal l) {
      return literal(l, p);
    }
    if (e instanceof Expr.Parameter param) {
      SqlNode node = new SqlDynamicParam(param.index() - 1, p);
      ColumnType declared = declared(param.index());
      if (declared != null && declared.type() != PgType.VECTOR) {
        SqlTypeName t = sqlTypeName(declared.type());
        if (t != null) {
          node = SqlStdOperatorTable.CAST.createCall(p, node,
              new SqlDataTypeSpec(new SqlBasicTypeNameSpec(t, p), p));
        }
      }
      return node;
    }
    if (e instanceof Expr.ColumnRef c) {
      return new SqlIdentifier(c.parts(), p);
    }
    if (e instanceof Expr.Star s) {
      List<String> names = new ArrayList<>(s.qualifier());
      names.add("");
      List<SqlParserPos> positions = new ArrayList<>();
      names.forEach(n -> positions.add(p));
      return SqlIdentifier.star(names, p, positions);
    }
    if (e instanceof Expr.Unary u) {
      return switch (u.op()) {
        case NOT -> SqlStdOperatorTable.NOT.createCall(p, expr(u.operand()));
        case NEGATE -> negate(u, p);
        case PLUS -> SqlStdOperatorTable.UNARY_PLUS.createCall(p, expr(u.operand()));
      };
    }
    if (e instanceof Expr.Binary b) {
      return binary(b, p);
    }
    if (e instanceof Expr.FunctionCall f) {
      return function(f, p);
    }
    if (e instanceof Expr.Cast c) {
      return cast(c, p);
    }
    if (e instanceof Expr.IsNull n) {
      return (n.negated() ? SqlStdOperatorTable.IS_NOT_NULL : SqlStdOperatorTable.IS_NULL)
          .createCall(p, expr(n.operand()));
    }
    if (e instanceof Expr.IsBoolean b) {
      SqlOperator op = b.value()
          ? (b.negated() ? SqlStdOperatorTable.IS_NOT_TRUE : SqlStdOperatorTable.IS_TRUE)
          : (b.negated() ? SqlStdOperatorTable.IS_NOT_FALSE : SqlStdOperatorTable.IS_FALSE);
      return op.createCall(p, expr(b.operand()));
    }
    if (e instanceof Expr.InList in) {
      return (in.negated() ? SqlStdOperatorTable.NOT_IN : SqlStdOperatorTable.IN)
          .createCall(p, expr(in.operand()), new SqlNodeList(exprs(in.values()), p));
    }
    if (e instanceof Expr.Between b) {
      return (b.negated() ? SqlStdOperatorTable.NOT_BETWEEN : SqlStdOperatorTable.BETWEEN)
          .createCall(p, expr(b.operand()), expr(b.low()), expr(b.high()));
    }
    if (e instanceof Expr.Like l) {
      SqlOperator op = l.caseInsensitive()
          ? (l.negated() ? SqlLibraryOperators.NOT_ILIKE : SqlLibraryOperators.ILIKE)
          : (l.negated() ? SqlStdOperatorTable.NOT_LIKE : SqlStdOperatorTable.LIKE);
      return l.escape() == null
          ? op.createCall(p, expr(l.operand()), expr(l.pattern()))
          : op.createCall(p, expr(l.operand()), expr(l.pattern()), expr(l.escape()));
    }
    if (e instanceof Expr.Case c) {
      SqlNodeList whens = new SqlNodeList(p);
      SqlNodeList thens = new SqlNodeList(p);
      for (Expr.When w : c.whens()) {
        whens.add(expr(w.condition()));
        thens.add(expr(w.result()));
      }
      return SqlCase.createSwitched(p, optional(c.operand()), whens, thens,
          c.elseResult() == null ? SqlLiteral.createNull(p) : expr(c.elseResult()));
    }
    throw QuiverException.notSupported(describe(e)).withPosition(e.pos().errorPosition());
  }

  private static String describe(Expr e) {
    if (e instanceof Expr.InSubquery || e instanceof Expr.Exists
        || e instanceof Expr.ScalarSubquery) {
      return "sub-queries in expressions";
    }
    if (e instanceof Expr.ArrayConstructor || e instanceof Expr.AnyAll) {
      return "arrays";
    }
    return "this expression (" + e.getClass().getSimpleName() + ")";
  }

  private ColumnType declared(int index) {
    if (declaredParameters == null || index > declaredParameters.size()) {
      return null;
    }
    ColumnType t = declaredParameters.get(index - 1);
    return t == null || t.type() == PgType.UNKNOWN ? null : t;
  }

  private static SqlNode literal(Expr.Literal l, SqlParserPos p) {
    return switch (l.kind()) {
      case NULL -> SqlLiteral.createNull(p);
      case BOOLEAN -> SqlLiteral.createBoolean(Boolean.parseBoolean(l.text()), p);
      case INTEGER, DECIMAL -> numeric(l.text(), p);
      case STRING -> SqlLiteral.createCharString(l.text(), p);
    };
  }

  private static SqlNode numeric(String text, SqlParserPos p) {
    if (text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
      return SqlLiteral.createExactNumeric(new java.math.BigDecimal(text).toPlainString(), p);
    }
    return SqlLiteral.createExactNumeric(text, p);
  }

  private SqlNode negate(Expr.Unary u, SqlParserPos p) {
    if (u.operand() instanceof Expr.Literal l
        && (l.kind() == Expr.LiteralKind.INTEGER || l.kind() == Expr.LiteralKind.DECIMAL)) {
      return numeric("-" + l.text(), p);
    }
    return SqlStdOperatorTable.UNARY_MINUS.createCall(p, expr(u.operand()));
  }

  private SqlNode binary(Expr.Binary b, SqlParserPos p) {
    SqlOperator op = switch (b.op()) {
      case OR -> SqlStdOperatorTable.OR;
      case AND -> SqlStdOperatorTable.AND;
      case EQ -> SqlStdOperatorTable.EQUALS;
      case NE -> SqlStdOperatorTable.NOT_EQUALS;
      case LT -> SqlStdOperatorTable.LESS_THAN;
      case LE -> SqlStdOperatorTable.LESS_THAN_OR_EQUAL;
      case GT -> SqlStdOperatorTable.GREATER_THAN;
      case GE -> SqlStdOperatorTable.GREATER_THAN_OR_EQUAL;
      case PLUS -> SqlStdOperatorTable.PLUS;
      case MINUS -> SqlStdOperatorTable.MINUS;
      case MULTIPLY -> SqlStdOperatorTable.MULTIPLY;
      case DIVIDE -> SqlStdOperatorTable.DIVIDE;
      case MODULO -> SqlStdOperatorTable.PERCENT_REMAINDER;
      case CONCAT -> SqlStdOperatorTable.CONCAT;
      case L2_DISTANCE -> QuiverOperators.L2_DISTANCE_OP;
      case NEGATIVE_INNER_PRODUCT -> QuiverOperators.NEGATIVE_INNER_PRODUCT_OP;
      case COSINE_DISTANCE -> QuiverOperators.COSINE_DISTANCE_OP;
      case L1_DISTANCE -> QuiverOperators.L1_DISTANCE_OP;
      case REGEX_MATCH -> SqlStdOperatorTable.POSIX_REGEX_CASE_SENSITIVE;
      case REGEX_NOT_MATCH -> SqlStdOperatorTable.NEGATED_POSIX_REGEX_CASE_SENSITIVE;
      case REGEX_IMATCH -> SqlStdOperatorTable.POSIX_REGEX_CASE_INSENSITIVE;
      case REGEX_NOT_IMATCH -> SqlStdOperatorTable.NEGATED_POSIX_REGEX_CASE_INSENSITIVE;
    };
    if (QuiverOperators.metricOf(op) != null) {
      return op.createCall(p, vectorOperand(b.left(), -1), vectorOperand(b.right(), -1));
    }
    return op.createCall(p, expr(b.left()), expr(b.right()));
  }

  /** An operand where a vector is expected: a string literal becomes {@code vector_in}. */
  private SqlNode vectorOperand(Expr e, int dim) {
    if (e instanceof Expr.Literal l && l.kind() == Expr.LiteralKind.STRING) {
      SqlParserPos p = pos(e.pos());
      return QuiverOperators.VECTOR_IN.createCall(p, SqlLiteral.createCharString(l.text(), p),
          SqlLiteral.createExactNumeric(Integer.toString(dim), p));
    }
    return expr(e);
  }

  private SqlNode function(Expr.FunctionCall f, SqlParserPos p) {
    String name = f.name().name();
    String schema = f.name().schema();
    if (schema != null && !schema.equals("pg_catalog") && !schema.equals("public")) {
      throw new QuiverException(SqlState.UNDEFINED_FUNCTION,
          "function " + f.name() + "() does not exist").withPosition(f.pos().errorPosition());
    }
    SqlOperator op = FUNCTIONS.get(name);
    if (f.star()) {
      if (op != SqlStdOperatorTable.COUNT) {
        throw new QuiverException(SqlState.SYNTAX_ERROR,
            name + "(*) specified, but " + name + " is not an aggregate function")
            .withPosition(f.pos().errorPosition());
      }
      return SqlStdOperatorTable.COUNT.createCall(p, SqlIdentifier.star(p));
    }
    List<SqlNode> args = new ArrayList<>();
    boolean vectorArgs = op != null && (QuiverOperators.metricOf(op) != null
        || op == QuiverOperators.INNER_PRODUCT || op == QuiverOperators.VECTOR_NORM
        || op == QuiverOperators.VECTOR_DIMS);
    for (Expr a : f.args()) {
      args.add(vectorArgs ? vectorOperand(a, -1) : expr(a));
    }
    if (op == null) {
      op = new SqlUnresolvedFunction(new SqlIdentifier(name, p), null, null, null, null,
          SqlFunctionCategory.USER_DEFINED_FUNCTION);
    }
    if (f.distinct()) {
      return op.createCall(SqlSelectKeyword.DISTINCT.symbol(p), p, args.toArray(new SqlNode[0]));
    }
    if (args.isEmpty() && op.getSyntax() == org.apache.calcite.sql.SqlSyntax.FUNCTION_ID) {
      return op.createCall(p);
    }
    return op.createCall(p, args);
  }

  private SqlNode cast(Expr.Cast c, SqlParserPos p) {
    TypeName type = c.type();
    if (type.array()) {
      throw QuiverException.notSupported("arrays").withPosition(type.pos().errorPosition());
    }
    if (type.name().equals("vector")) {
      SqlNode operand = c.operand() instanceof Expr.Literal l
          && l.kind() == Expr.LiteralKind.STRING
          ? SqlLiteral.createCharString(l.text(), p) : expr(c.operand());
      return QuiverOperators.VECTOR_IN.createCall(p, operand,
          SqlLiteral.createExactNumeric(Integer.toString(type.modifier()), p));
    }
    ColumnType target = TypeNames.columnType(type);
    SqlTypeName t = sqlTypeName(target.type());
    if (t == null) {
      throw QuiverException.notSupported("casts to " + type.name())
          .withPosition(type.pos().errorPosition());
    }
    SqlBasicTypeNameSpec spec;
    if (t == SqlTypeName.VARCHAR && target.modifier() > 0) {
      spec = new SqlBasicTypeNameSpec(t, target.modifier(), p);
    } else if (t == SqlTypeName.DECIMAL) {
      spec = type.modifiers().isEmpty() ? new SqlBasicTypeNameSpec(t, 1000, 500, p)
          : new SqlBasicTypeNameSpec(t, type.modifiers().get(0),
              type.modifiers().size() > 1 ? type.modifiers().get(1) : 0, p);
    } else if (t == SqlTypeName.TIMESTAMP || t == SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
      spec = new SqlBasicTypeNameSpec(t, 6, p);
    } else {
      spec = new SqlBasicTypeNameSpec(t, p);
    }
    return SqlStdOperatorTable.CAST.createCall(p, expr(c.operand()), new SqlDataTypeSpec(spec, p));
  }

  private static SqlTypeName sqlTypeName(PgType t) {
    return switch (t) {
      case INT8 -> SqlTypeName.BIGINT;
      case INT4 -> SqlTypeName.INTEGER;
      case INT2 -> SqlTypeName.SMALLINT;
      case TEXT, VARCHAR, NAME -> SqlTypeName.VARCHAR;
      case BOOL -> SqlTypeName.BOOLEAN;
      case FLOAT4 -> SqlTypeName.REAL;
      case FLOAT8 -> SqlTypeName.DOUBLE;
      case NUMERIC -> SqlTypeName.DECIMAL;
      case DATE -> SqlTypeName.DATE;
      case TIMESTAMP -> SqlTypeName.TIMESTAMP;
      case TIMESTAMPTZ -> SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE;
      default -> null;
    };
  }
}
