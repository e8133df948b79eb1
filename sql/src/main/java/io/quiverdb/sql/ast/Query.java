package io.quiverdb.sql.ast;

import java.util.List;

/** A query expression: a SELECT, a set operation of queries, or a VALUES list. */
public sealed interface Query {
  Pos pos();

  /** One item of a select list: an expression with an optional alias (null when none). */
  record SelectItem(Expr expr, String alias, Pos pos) {}

  /** One ORDER BY item; nullsFirst is null when not written (PostgreSQL's default then applies). */
  record OrderItem(Expr expr, boolean descending, Boolean nullsFirst) {}

  /**
   * {@code SELECT [DISTINCT] items [FROM …] [WHERE …] [GROUP BY …] [HAVING …] [ORDER BY …]
   * [LIMIT …] [OFFSET …]}. Absent clauses are null or empty; {@code from} empty means no FROM.
   */
  record Select(
      boolean distinct,
      List<SelectItem> items,
      List<FromItem> from,
      Expr where,
      List<Expr> groupBy,
      Expr having,
      List<OrderItem> orderBy,
      Expr limit,
      Expr offset,
      Pos pos)
      implements Query {
    public Select {
      items = List.copyOf(items);
      from = List.copyOf(from);
      groupBy = List.copyOf(groupBy);
      orderBy = List.copyOf(orderBy);
    }
  }

  /** Set operators. */
  enum SetOp {
    UNION,
    INTERSECT,
    EXCEPT
  }

  /** {@code left UNION [ALL] right …} with the ORDER BY / LIMIT / OFFSET that apply to the whole. */
  record SetOperation(
      SetOp op,
      boolean all,
      Query left,
      Query right,
      List<OrderItem> orderBy,
      Expr limit,
      Expr offset,
      Pos pos)
      implements Query {
    public SetOperation {
      orderBy = List.copyOf(orderBy);
    }
  }

  /** {@code VALUES (…), (…)} used as a query or an INSERT source. */
  record Values(List<List<Expr>> rows, Pos pos) implements Query {
    public Values {
      rows = rows.stream().map(List::copyOf).toList();
    }
  }

  /** Something in a FROM clause. */
  sealed interface FromItem {
    Pos pos();
  }

  /** A table (or view) reference with an optional alias (null when none). */
  record TableRef(QualifiedName name, String alias, Pos pos) implements FromItem {}

  /** A derived table {@code (SELECT …) AS alias [(columns)]}. */
  record SubqueryRef(Query query, String alias, List<String> columnAliases, Pos pos)
      implements FromItem {
    public SubqueryRef {
      columnAliases = List.copyOf(columnAliases);
    }
  }

  /** A set-returning function in FROM, e.g. {@code generate_series(1, 3) AS g}. */
  record FunctionRef(Expr.FunctionCall call, String alias, List<String> columnAliases, Pos pos)
      implements FromItem {
    public FunctionRef {
      columnAliases = List.copyOf(columnAliases);
    }
  }

  /** Join types. */
  enum JoinType {
    INNER,
    LEFT,
    RIGHT,
    FULL,
    CROSS
  }

  /** {@code left [type] JOIN right ON cond | USING (cols)}; condition null and using empty for CROSS. */
  record Join(JoinType type, FromItem left, FromItem right, Expr condition, List<String> using,
      Pos pos) implements FromItem {
    public Join {
      using = List.copyOf(using);
    }
  }
}
