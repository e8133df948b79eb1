package io.quiverdb.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiverdb.common.CancelToken;
import io.quiverdb.common.Notice;
import io.quiverdb.common.QuiverException;
import io.quiverdb.sql.parser.ParseLimits;
import io.quiverdb.sql.parser.ParsedStatement;
import io.quiverdb.sql.parser.SqlParser;
import io.quiverdb.storage.CatalogView;
import io.quiverdb.storage.StorageConfig;
import io.quiverdb.storage.Store;
import io.quiverdb.storage.Transaction;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deep and large statements through the whole planner on a statement thread's 16 MiB stack:
 * every kind of nesting plans and runs 1,000 levels deep (and at the parser's limit) with
 * PostgreSQL 15's answers, a stack overflow anywhere is 54001 and leaves the planner usable,
 * planning stops on the cancel token and after max_planning_time, and long executor loops check
 * the cancel token.
 */
class PlannerLimitsTest {
  /** PostgreSQL 15's message for a statement nested beyond its stack. */
  static final String PG_STACK_DEPTH = "stack depth limit exceeded";

  @TempDir
  Path dir;

  private Store store;
  private Planner planner;
  private CancelToken cancel = CancelToken.NONE;
  private Transaction txn;

  private final SessionContext session = new SessionContext() {
    @Override
    public String user() {
      return "quiver";
    }

    @Override
    public String database() {
      return "quiver";
    }

    @Override
    public ZoneId timeZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public String setting(String name) {
      return null;
    }

    @Override
    public void notice(Notice notice) {}

    @Override
    public CancelToken cancelToken() {
      return cancel;
    }

    @Override
    public Transaction transaction() {
      if (txn == null) {
        txn = store.begin();
      }
      return txn;
    }

    @Override
    public CatalogView catalog() {
      return store.catalog();
    }
  };

  @BeforeEach
  void open() {
    store = Store.open(dir, StorageConfig.DEFAULT);
    planner = new Planner(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Runs {@code work} on a thread with {@code stackBytes} of stack, as statements run. */
  static <T> T onThread(long stackBytes, Callable<T> work) throws Exception {
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

  private static ParsedStatement parse(String sql) throws Exception {
    return onThread(16L << 20, () -> SqlParser.parse(sql).get(0));
  }

  /** The rows of {@code sql}, each as its values joined by |, planned and run on 16 MiB. */
  private List<String> rows(String sql) throws Exception {
    ParsedStatement parsed = parse(sql);
    return onThread(16L << 20, () -> run(planner.prepare(parsed, List.of(), session)));
  }

  /** Runs {@code q} in a transaction of its own, as an autocommit statement. */
  private List<String> run(PreparedQuery q) {
    List<String> out = new ArrayList<>();
    try (QueryResult r = q.execute(new Object[0], session)) {
      Object[] row;
      while ((row = r.next()) != null) {
        StringBuilder sb = new StringBuilder();
        for (Object v : row) {
          sb.append(sb.length() == 0 ? "" : "|").append(v);
        }
        out.add(sb.toString());
      }
    } catch (RuntimeException | Error e) {
      if (txn != null) {
        txn.rollback();
        txn = null;
      }
      throw e;
    }
    if (txn != null) {
      txn.commit();
      txn = null;
    }
    return out;
  }

  private QuiverException failure(Callable<?> work) throws Exception {
    try {
      work.call();
    } catch (QuiverException e) {
      return e;
    }
    throw new AssertionError("succeeded");
  }

  @Test
  void every_kind_of_nesting_runs_1000_levels_deep_with_postgres_answers() throws Exception {
    int n = 1000;
    // each expected value is what PostgreSQL 15 answers
    assertThat(rows("SELECT " + "(".repeat(n) + "1" + ")".repeat(n))).containsExactly("1");
    assertThat(rows("SELECT 1" + "+1".repeat(n))).containsExactly("1001");
    assertThat(rows("SELECT " + "- ".repeat(n) + "1")).containsExactly("1");
    assertThat(rows("SELECT " + "- ".repeat(n - 1) + "1")).containsExactly("-1");
    assertThat(rows("SELECT " + "-(".repeat(n) + "1" + ")".repeat(n))).containsExactly("1");
    assertThat(rows("SELECT " + "abs(".repeat(n) + "-1" + ")".repeat(n))).containsExactly("1");
    assertThat(rows("SELECT " + "CASE WHEN true THEN ".repeat(n) + "1" + " END".repeat(n)))
        .containsExactly("1");
    assertThat(rows("SELECT " + "NOT ".repeat(n) + "true")).containsExactly("true");
    assertThat(rows("SELECT 1" + "::int".repeat(n))).containsExactly("1");
    assertThat(rows("SELECT " + "coalesce(".repeat(n) + "NULL, 7" + ")".repeat(n)))
        .containsExactly("7");
    assertThat(rows("SELECT count(*) FROM (SELECT 1" + " UNION ALL SELECT 1".repeat(n) + ") u"))
        .containsExactly("1001");
    // scalar sub-queries in expressions are not supported yet; nested FROM sub-queries are
    assertThat(rows("SELECT * FROM (".repeat(n) + "SELECT 1 AS x" + ") q".repeat(n)))
        .containsExactly("1");
  }

  @Test
  void nesting_at_the_parser_limit_plans_and_runs() throws Exception {
    int n = ParseLimits.DEFAULT_MAX_DEPTH - 10;
    assertThat(rows("SELECT 1" + "+1".repeat(n))).containsExactly(Integer.toString(n + 1));
    assertThat(rows("SELECT " + "abs(".repeat(n) + "-1" + ")".repeat(n))).containsExactly("1");
    assertThat(rows("SELECT " + "CASE WHEN true THEN ".repeat(n) + "1" + " END".repeat(n)))
        .containsExactly("1");
    assertThat(rows("SELECT * FROM (".repeat(n) + "SELECT 1 AS x" + ") q".repeat(n)))
        .containsExactly("1");
    assertThat(rows("EXPLAIN SELECT 1" + " UNION ALL SELECT 1".repeat(n)))
        .hasSizeGreaterThan(n);
  }

  @Test
  void deep_filters_over_a_table_give_the_same_rows_as_shallow_ones() throws Exception {
    run(planner.prepare(SqlParser.parse("CREATE TABLE t (id bigint PRIMARY KEY, x int)").get(0),
        List.of(), session));
    run(planner.prepare(SqlParser.parse("INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)").get(0),
        List.of(), session));
    String deep = "(".repeat(300) + "x + 0" + " + 0".repeat(300) + ")".repeat(300);
    assertThat(rows("SELECT id FROM t WHERE " + deep + " >= 2 AND id <> 3 ORDER BY id"))
        .containsExactly("2");
    assertThat(rows("SELECT id FROM t WHERE x >= 2 AND id <> 3 ORDER BY id"))
        .containsExactly("2");
  }

  @Test
  void a_stack_overflow_in_planning_is_54001_and_the_planner_goes_on() throws Exception {
    ParsedStatement deep = parse("SELECT 1" + "+1".repeat(2000));
    QuiverException e = onThread(256 << 10,
        () -> failure(() -> planner.prepare(deep, List.of(), session)));
    assertThat(e.state().code()).isEqualTo("54001");
    assertThat(e.getMessage()).isEqualTo(PG_STACK_DEPTH);
    assertThat(rows("SELECT 1 + 1")).containsExactly("2");
  }

  @Test
  void a_stack_overflow_in_execution_is_54001() throws Exception {
    ParsedStatement deep = parse("SELECT " + "abs(".repeat(2400) + "-1" + ")".repeat(2400));
    PreparedQuery plan = onThread(16L << 20, () -> planner.prepare(deep, List.of(), session));
    QuiverException e = onThread(256 << 10, () -> failure(() -> run(plan)));
    assertThat(e.state().code()).isEqualTo("54001");
    assertThat(e.getMessage()).isEqualTo(PG_STACK_DEPTH);
    assertThat(onThread(16L << 20, () -> run(plan))).containsExactly("1");
  }

  @Test
  void a_cancelled_statement_stops_planning_with_57014() throws Exception {
    ParsedStatement big = parse("SELECT 1 IN (" + "1,".repeat(5000) + "1)");
    cancel = new CancelToken();
    cancel.begin();
    cancel.cancel(CancelToken.Reason.USER_REQUEST);
    QuiverException e = failure(() -> planner.prepare(big, List.of(), session));
    assertThat(e.state().code()).isEqualTo("57014");
    assertThat(e.getMessage()).isEqualTo("canceling statement due to user request");
  }

  @Test
  void planning_longer_than_max_planning_time_is_54001() throws Exception {
    Planner hurried = new Planner(store, new PlannerConfig(1));
    ParsedStatement big = parse("SELECT 1 IN (" + "1,".repeat(20_000) + "1)");
    QuiverException e = failure(() -> hurried.prepare(big, List.of(), session));
    assertThat(e.state().code()).isEqualTo("54001");
    assertThat(e.getMessage()).isEqualTo("statement too complex to plan in 1 ms");
    assertThat(e.hint()).contains("max_planning_time");
  }

  @Test
  void long_executor_loops_stop_on_the_cancel_token() throws Exception {
    StringBuilder values = new StringBuilder("(VALUES (0)");
    for (int i = 1; i < 5000; i++) {
      values.append(", (").append(i).append(')');
    }
    values.append(") v(x)");
    List<String> queries = List.of(
        "SELECT x FROM " + values + " ORDER BY x DESC",
        "SELECT x FROM " + values + " ORDER BY x DESC LIMIT 3",
        "SELECT x FROM " + values + " OFFSET 4990",
        "SELECT count(*), sum(x) FROM " + values,
        "SELECT x FROM " + values + " WHERE x < 0",
        "SELECT x FROM " + values + " UNION ALL SELECT x FROM " + values);
    for (String sql : queries) {
      PreparedQuery q = planner.prepare(SqlParser.parse(sql).get(0), List.of(), session);
      cancel = new CancelToken();
      cancel.begin();
      cancel.cancel(CancelToken.Reason.STATEMENT_TIMEOUT);
      QuiverException e = failure(() -> run(q));
      assertThat(e.state().code()).as(sql.substring(0, 30)).isEqualTo("57014");
      cancel = CancelToken.NONE;
      assertThat(run(q)).as(sql.substring(0, 30)).isNotNull();
    }
  }

  @Test
  void more_than_1664_columns_after_star_expansion_is_54011() throws Exception {
    StringBuilder a = new StringBuilder("SELECT * FROM (SELECT 1 AS a0");
    for (int i = 1; i < 1000; i++) {
      a.append(", 1 AS a").append(i);
    }
    a.append(") a, (SELECT 1 AS b0");
    for (int i = 1; i < 700; i++) {
      a.append(", 1 AS b").append(i);
    }
    a.append(") b");
    ParsedStatement wide = parse(a.toString());
    QuiverException e = failure(() -> planner.prepare(wide, List.of(), session));
    assertThat(e.state().code()).isEqualTo("54011");
    assertThat(e.getMessage()).isEqualTo("target lists can have at most 1664 entries");
  }
}
