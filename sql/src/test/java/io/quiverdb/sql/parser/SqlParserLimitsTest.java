package io.quiverdb.sql.parser;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.QuiverException;
import io.quiverdb.sql.ast.Expr;
import io.quiverdb.sql.ast.Query;
import io.quiverdb.sql.ast.Statement;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The parser's limits: nesting stops at max_parse_depth with 54001 before the rest of the text is
 * read, a query string stops at max_parse_tokens with 54000, target lists at 1664 entries with
 * 54011, cancellation with 57014, and a stack overflow becomes 54001. Expected PostgreSQL 15
 * messages are kept as they are.
 */
class SqlParserLimitsTest {
  /** PostgreSQL 15: {@code SELECT 1+1+…} with 5,000 terms. */
  static final String PG_STACK_DEPTH = "stack depth limit exceeded";
  /** PostgreSQL 15: {@code SELECT 1,1,…} with 1,665 items. */
  static final String PG_TARGET_LIST = "target lists can have at most 1664 entries";

  private static final ParseLimits DEFAULTS = ParseLimits.defaults();

  static String repeat(String s, int n) {
    return s.repeat(n);
  }

  /** Runs {@code work} on a thread with the statement threads' 16 MiB stack. */
  static <T> T onStatementThread(long stackBytes, Callable<T> work) throws Exception {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        result.set(work.call());
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "quiver-statement-test", stackBytes);
    t.start();
    t.join();
    if (failure.get() instanceof Exception e) {
      throw e;
    }
    if (failure.get() instanceof Error e) {
      throw e;
    }
    return result.get();
  }

  static <T> T onStatementThread(Callable<T> work) throws Exception {
    return onStatementThread(16L << 20, work);
  }

  private static QuiverException failure(String sql, ParseLimits limits, CancelToken cancel)
      throws Exception {
    return onStatementThread(() -> {
      try {
        SqlParser.parse(sql, limits, cancel);
      } catch (QuiverException e) {
        return e;
      }
      throw new AssertionError("parsed " + sql.length() + " characters");
    });
  }

  private static QuiverException failure(String sql, ParseLimits limits) throws Exception {
    return failure(sql, limits, CancelToken.NONE);
  }

  private static Statement parsed(String sql, ParseLimits limits) throws Exception {
    return onStatementThread(() -> SqlParser.parse(sql, limits, CancelToken.NONE).get(0)
        .statement());
  }

  private static void assertTooDeep(QuiverException e, int limit) {
    assertThat(e.state().code()).isEqualTo("54001");
    assertThat(e.getMessage()).isEqualTo(PG_STACK_DEPTH);
    assertThat(e.hint()).contains("at most " + limit + " levels").contains("max_parse_depth");
  }

  @Test
  void every_kind_of_nesting_parses_1000_levels_deep() throws Exception {
    List<IntFunction<String>> shapes = List.of(
        n -> "SELECT " + repeat("(", n) + "1" + repeat(")", n),
        n -> "SELECT 1" + repeat("+1", n),
        n -> "SELECT " + repeat("- ", n) + "1",
        n -> "SELECT " + repeat("-(", n) + "1" + repeat(")", n),
        n -> "SELECT " + repeat("abs(", n) + "1" + repeat(")", n),
        n -> "SELECT " + repeat("CASE WHEN true THEN ", n) + "1" + repeat(" END", n),
        n -> "SELECT " + repeat("NOT ", n) + "true",
        n -> "SELECT 1" + repeat("::int", n),
        n -> repeat("SELECT * FROM (", n) + "SELECT 1 AS x" + repeat(") q", n),
        n -> "SELECT 1" + repeat(" UNION ALL SELECT 1", n),
        n -> "SELECT * FROM " + repeat("(", n) + "t" + repeat(")", n),
        n -> "SELECT * FROM t" + repeat(" CROSS JOIN t", n));
    for (IntFunction<String> shape : shapes) {
      String sql = shape.apply(1000);
      assertThat(parsed(sql, DEFAULTS)).as(sql.substring(0, 40)).isNotNull();
    }
  }

  @Test
  void depth_counts_tree_levels_so_the_limit_is_exact() throws Exception {
    ParseLimits limits = DEFAULTS.withMaxDepth(100);
    // statement, selectStatement and the select item's expr are three levels; each shape adds one
    // per repetition
    record Shape(String name, IntFunction<String> sql) {}
    List<Shape> shapes = List.of(
        new Shape("parentheses", n -> "SELECT " + repeat("(", n) + "1" + repeat(")", n)),
        new Shape("plus chain", n -> "SELECT 1" + repeat("+1", n)),
        new Shape("concat chain", n -> "SELECT 'a'" + repeat(" || 'a'", n)),
        new Shape("unary minus", n -> "SELECT " + repeat("- ", n) + "1"),
        new Shape("casts", n -> "SELECT 1" + repeat("::int", n)),
        new Shape("IS NULL chain", n -> "SELECT 1" + repeat(" IS NULL", n)),
        new Shape("function arguments", n -> "SELECT " + repeat("abs(", n) + "1"
            + repeat(")", n)),
        new Shape("sub-queries", n -> repeat("SELECT * FROM (", n) + "SELECT 1" + repeat(") q",
            n)));
    for (Shape s : shapes) {
      assertThat(parsed(s.sql().apply(97), limits)).as(s.name()).isNotNull();
      assertTooDeep(failure(s.sql().apply(98), limits), 100);
    }
  }

  @Test
  void operator_chains_and_set_operation_chains_count_per_operator() throws Exception {
    ParseLimits limits = DEFAULTS.withMaxDepth(100);
    assertThat(parsed("SELECT 1" + repeat(" UNION SELECT 1", 97), limits)).isNotNull();
    assertTooDeep(failure("SELECT 1" + repeat(" UNION SELECT 1", 98), limits), 100);
    assertThat(parsed("SELECT * FROM t" + repeat(" JOIN t ON true", 97), limits)).isNotNull();
    assertTooDeep(failure("SELECT * FROM t" + repeat(" JOIN t ON true", 98), limits), 100);
    assertTooDeep(failure(repeat("EXPLAIN ", 101) + "SELECT 1", limits), 100);
  }

  private static Query.Select select(String sql, ParseLimits limits) throws Exception {
    return (Query.Select) ((Statement.QueryStatement) parsed(sql, limits)).query();
  }

  @Test
  void and_or_chains_become_balanced_trees() throws Exception {
    ParseLimits limits = DEFAULTS.withMaxTokens(1_000_000);
    Expr where = select("SELECT 1 WHERE x = 1" + repeat(" OR x = 1", 49_999), limits).where();
    assertThat(depth(where)).isEqualTo(18);
    Expr item = select("SELECT true" + repeat(" AND true", 49_999), limits).items().get(0).expr();
    assertThat(depth(item)).isEqualTo(17);
    Expr.Binary and = (Expr.Binary) select("SELECT a AND b AND c", limits).items().get(0).expr();
    assertThat(((Expr.ColumnRef) and.left()).parts()).containsExactly("a");
    assertThat(((Expr.Binary) and.right()).op()).isEqualTo(Expr.BinaryOp.AND);
  }

  private static int depth(Expr e) {
    return e instanceof Expr.Binary b ? 1 + Math.max(depth(b.left()), depth(b.right())) : 1;
  }

  @Test
  void nesting_100000_levels_deep_fails_at_the_limit_without_reading_the_rest() throws Exception {
    // A token cap well below the text's length: reading it all would fail with 54000, not 54001.
    ParseLimits limits = DEFAULTS.withMaxTokens(50_000);
    for (String sql : List.of(
        "SELECT " + repeat("(", 100_000) + "1" + repeat(")", 100_000),
        "SELECT 1" + repeat("+1", 500_000),
        "SELECT " + repeat("- ", 100_000) + "1",
        "SELECT " + repeat("abs(", 100_000) + "1" + repeat(")", 100_000),
        "SELECT " + repeat("CASE WHEN true THEN ", 100_000) + "1" + repeat(" END", 100_000),
        repeat("SELECT * FROM (", 100_000) + "SELECT 1" + repeat(") q", 100_000))) {
      long start = System.nanoTime();
      assertTooDeep(failure(sql, limits), ParseLimits.DEFAULT_MAX_DEPTH);
      System.out.printf("rejected %,d characters (%s…) in %.1f ms%n", sql.length(),
          sql.substring(0, 20), (System.nanoTime() - start) / 1e6);
    }
  }

  @Test
  void too_many_tokens_is_54000_naming_the_limit() throws Exception {
    ParseLimits limits = DEFAULTS.withMaxTokens(10_000);
    QuiverException e = failure("SELECT 1 IN (" + repeat("1,", 10_000) + "1)", limits);
    assertThat(e.state().code()).isEqualTo("54000");
    assertThat(e.getMessage()).isEqualTo("query string has more than 10000 tokens");
    assertThat(e.hint()).contains("max_parse_tokens");
    assertThat(e.position()).isGreaterThan(1);
    // whitespace and comments are tokens too: the stream keeps them
    assertThat(failure("SELECT 1" + repeat(" /* */", 6_000), limits).state().code())
        .isEqualTo("54000");
    assertThat(parsed("SELECT 1 IN (" + repeat("1,", 4_000) + "1)", limits)).isNotNull();
  }

  @Test
  void the_default_token_cap_follows_the_heap_and_admits_a_10000_row_insert() {
    assertThat(ParseLimits.forHeap(1L << 30).maxTokens()).isEqualTo(131_072);
    assertThat(ParseLimits.forHeap(16L << 30).maxTokens()).isEqualTo(1_677_721);
    StringBuilder insert = new StringBuilder("INSERT INTO items VALUES ");
    for (int i = 0; i < 10_000; i++) {
      insert.append(i == 0 ? "" : ", ").append('(').append(i).append(", '[")
          .append(i % 7).append(",0.5,1.25,-3]')");
    }
    List<ParsedStatement> all = SqlParser.parse(insert.toString(), ParseLimits.forHeap(1L << 30),
        CancelToken.NONE);
    Statement.Insert ins = (Statement.Insert) all.get(0).statement();
    assertThat(((Query.Values) ins.source()).rows()).hasSize(10_000);
  }

  @Test
  void more_than_1664_select_items_or_values_is_54011() throws Exception {
    QuiverException e = failure("SELECT 1" + repeat(",1", 1664), DEFAULTS);
    assertThat(e.state().code()).isEqualTo("54011");
    assertThat(e.getMessage()).isEqualTo(PG_TARGET_LIST);
    assertThat(failure("VALUES (1" + repeat(",1", 1664) + ")", DEFAULTS).getMessage())
        .isEqualTo(PG_TARGET_LIST);
    assertThat(parsed("SELECT 1" + repeat(",1", 1663), DEFAULTS)).isNotNull();
    // the limit is per list: a sub-query's items do not add to its parent's
    assertThat(parsed("SELECT 1" + repeat(",1", 1000) + " FROM (SELECT 1" + repeat(",1", 1000)
        + ") q", DEFAULTS)).isNotNull();
  }

  @Test
  void a_cancelled_statement_stops_parsing_with_57014() throws Exception {
    CancelToken cancel = new CancelToken();
    cancel.begin();
    cancel.cancel(CancelToken.Reason.STATEMENT_TIMEOUT);
    QuiverException e = failure("SELECT 1 IN (" + repeat("1,", 2_000) + "1)", DEFAULTS, cancel);
    assertThat(e.state().code()).isEqualTo("57014");
    assertThat(e.getMessage()).isEqualTo("canceling statement due to statement timeout");
  }

  @Test
  void a_stack_overflow_while_parsing_is_54001() throws Exception {
    // 2,000 parentheses are within the limit but not within a 256 KiB stack
    QuiverException e = onStatementThread(256 << 10, () -> {
      try {
        SqlParser.parse("SELECT " + repeat("(", 2000) + "1" + repeat(")", 2000));
      } catch (QuiverException x) {
        return x;
      }
      throw new AssertionError("parsed");
    });
    assertThat(e.state().code()).isEqualTo("54001");
    assertThat(e.getMessage()).isEqualTo(PG_STACK_DEPTH);
    assertThat(e.hint()).contains("max_parse_depth");
  }
}
